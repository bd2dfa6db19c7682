import { extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChartRendererOptions, RenderResult } from './ChartRenderer.js';
import type { ChartSpec } from './ChartSpecs.js';

export interface WorkerRequest {
	id: number;
	spec: ChartSpec;
}

export type WorkerReply = { id: number; ok: true; result?: RenderResult; ready?: true } | { id: number; ok: false; error: string };

/** Options a worker's renderer can receive (functions cannot cross the thread boundary). */
export type WorkerRendererOptions = Omit<ChartRendererOptions, 'onRender' | 'workers'>;

interface Slot {
	worker: Worker;
	ready: Promise<void>;
	pending: Map<number, { resolve: (result: RenderResult) => void; reject: (error: Error) => void; postMs: number }>;
	/** Ends the worker after an idle period; cleared by the next render. */
	idleTimer?: NodeJS.Timeout;
}

export interface RenderWorkerPoolOptions {
	/** A worker with nothing in flight for this long exits; the next render starts a fresh one. Default 10 min. */
	idleExitMs?: number;
}

const DEFAULT_IDLE_EXIT_MS = 10 * 60_000;

/**
 * Renders in worker threads: Chart.js and @napi-rs/canvas both run fine off the main thread
 * (fonts registered with GlobalFonts are process-wide), and there the whole draw, not just the
 * PNG encode, stays off the event loop. The main thread only clones the spec in and the PNG out.
 * A worker that dies fails its in-flight renders and is replaced on the next render.
 * Workers start on the first render and exit after `idleExitMs` without one: an idle bot does not
 * keep a second V8 heap with Chart.js and Skia in memory.
 */
export class RenderWorkerPool {
	private readonly slots: (Slot | undefined)[];
	private nextId = 1;
	private closed = false;
	private readonly idleExitMs: number;

	public constructor(
		private readonly size: number,
		private readonly rendererOptions: WorkerRendererOptions,
		options: RenderWorkerPoolOptions = {}
	) {
		this.slots = new Array<Slot | undefined>(Math.max(1, size)).fill(undefined);
		this.idleExitMs = options.idleExitMs ?? DEFAULT_IDLE_EXIT_MS;
	}

	/** Workers running now (started and not exited). */
	public get running(): number {
		return this.slots.filter((slot) => slot !== undefined).length;
	}

	/** Starts every worker and waits until each has loaded Chart.js and the fonts. */
	public async start(): Promise<void> {
		await Promise.all(this.slots.map((_, i) => this.slot(i).ready));
	}

	/**
	 * Renders in the least busy worker. The result's `mainThreadMs` is what this (calling) thread
	 * spent: cloning the spec into the worker and taking the PNG back; draw and encode times are the
	 * worker's.
	 */
	public async render(spec: ChartSpec): Promise<RenderResult> {
		if (this.closed) throw new Error('RenderWorkerPool is closed');
		const slot = this.leastBusy();
		clearTimeout(slot.idleTimer);
		await slot.ready;
		const id = this.nextId++;
		return new Promise<RenderResult>((resolve, reject) => {
			const start = performance.now();
			// Keep the process alive only while a render is in flight.
			slot.worker.ref();
			slot.worker.postMessage({ id, spec } satisfies WorkerRequest);
			slot.pending.set(id, { resolve, reject, postMs: performance.now() - start });
		});
	}

	public async close(): Promise<void> {
		this.closed = true;
		const slots = this.slots.filter((slot): slot is Slot => slot !== undefined);
		this.slots.fill(undefined);
		for (const slot of slots) clearTimeout(slot.idleTimer);
		await Promise.all(slots.map((slot) => slot.worker.terminate()));
	}

	private retireWhenIdle(index: number, slot: Slot): void {
		clearTimeout(slot.idleTimer);
		slot.idleTimer = setTimeout(() => {
			if (slot.pending.size > 0 || this.slots[index] !== slot) return;
			// Out of the pool first, so its exit is not mistaken for a crash and the next render starts a new one.
			this.slots[index] = undefined;
			void slot.worker.terminate();
		}, this.idleExitMs);
		slot.idleTimer.unref();
	}

	private leastBusy(): Slot {
		let best = 0;
		for (let i = 0; i < this.slots.length; i++) {
			const load = this.slots[i]?.pending.size ?? 0;
			if (load < (this.slots[best]?.pending.size ?? 0)) best = i;
		}
		return this.slot(best);
	}

	private slot(index: number): Slot {
		const existing = this.slots[index];
		if (existing) return existing;
		const worker = spawnChartWorker(this.rendererOptions);
		worker.unref();
		const pending: Slot['pending'] = new Map();
		let markReady!: () => void;
		let failStart!: (error: Error) => void;
		const ready = new Promise<void>((resolve, reject) => {
			markReady = resolve;
			failStart = reject;
		});
		// A start failure is reported to whoever awaits `ready`; never an unhandled rejection.
		ready.catch(() => undefined);
		const slot: Slot = { worker, ready, pending };

		worker.on('message', (reply: WorkerReply) => {
			const start = performance.now();
			if (reply.ok && reply.ready) return markReady();
			const waiter = pending.get(reply.id);
			if (!waiter) return;
			pending.delete(reply.id);
			if (pending.size === 0) {
				worker.unref();
				this.retireWhenIdle(index, slot);
			}
			if (!reply.ok) return waiter.reject(new Error(reply.error));
			const result = reply.result!;
			// The PNG arrives as a plain Uint8Array after the structured clone.
			const png = Buffer.from(result.png.buffer, result.png.byteOffset, result.png.byteLength);
			waiter.resolve({ ...result, png, mainThreadMs: waiter.postMs + (performance.now() - start) });
		});
		const fail = (error: Error) => {
			if (this.slots[index] === slot) this.slots[index] = undefined;
			failStart(error);
			for (const waiter of pending.values()) waiter.reject(error);
			pending.clear();
		};
		worker.on('error', fail);
		worker.on('exit', (code) => fail(new Error(`chart worker exited with code ${code}`)));
		this.slots[index] = slot;
		return slot;
	}
}

function spawnChartWorker(options: WorkerRendererOptions): Worker {
	const here = fileURLToPath(import.meta.url);
	const ext = extname(here);
	const entry = pathToFileURL(here.slice(0, -ext.length).replace(/RenderWorkerPool$/, 'chartWorker') + ext).href;
	// From dist/ the entry is plain JS. From src/ (vitest, tsx) it is TypeScript: load it through
	// tsx's loader inside the worker (a dev dependency; only ever reached from source).
	const source =
		ext === '.ts'
			? `import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${JSON.stringify(entry)}))`
			: `import(${JSON.stringify(entry)})`;
	return new Worker(source, { eval: true, workerData: options });
}
