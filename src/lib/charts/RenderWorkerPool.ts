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

export interface RenderWorkerPoolOptions {
	/** A render (including a fresh worker's start) not answered within this is abandoned and its worker replaced. Default 20 s. */
	renderTimeoutMs?: number;
	/** Starts a worker (tests pass a stand-in). */
	spawn?: (options: WorkerRendererOptions) => Worker;
	/** A worker with nothing in flight for this long exits; the next render starts a fresh one. Default 10 min. */
	idleExitMs?: number;
}

const DEFAULT_IDLE_EXIT_MS = 10 * 60_000;

/** A chart could not be drawn (worker stuck or crashed). `userMessage` is what the member sees. */
export class ChartRenderError extends Error {
	public readonly userMessage = 'The chart could not be drawn this time (the drawing worker failed and was restarted). Please run the command again in a moment.';

	public constructor(message: string) {
		super(message);
		this.name = 'ChartRenderError';
	}
}

interface Slot {
	worker: Worker;
	ready: Promise<void>;
	pending: Map<number, { resolve: (result: RenderResult) => void; reject: (error: Error) => void; postMs: number; timer: NodeJS.Timeout }>;
	/** Ends the worker and fails what it had in flight (it is replaced on the next render). */
	fail: (error: Error) => void;
	/** Ends the worker after an idle period; cleared by the next render. */
	idleTimer?: NodeJS.Timeout;
}

/**
 * Renders in worker threads: Chart.js and @napi-rs/canvas both run fine off the main thread
 * (fonts registered with GlobalFonts are process-wide), and there the whole draw, not just the
 * PNG encode, stays off the event loop. The main thread only clones the spec in and the PNG out.
 * A worker that dies, or does not answer a render within `renderTimeoutMs` (stuck in a loop, or
 * hung at start), is terminated: its in-flight renders fail with a ChartRenderError and a fresh
 * worker takes its place on the next render.
 * Workers start on the first render and exit after `idleExitMs` without one: an idle bot does not
 * keep a second V8 heap with Chart.js and Skia in memory.
 */
export class RenderWorkerPool {
	private readonly slots: (Slot | undefined)[];
	private nextId = 1;
	private closed = false;
	private readonly renderTimeoutMs: number;
	private readonly spawn: (options: WorkerRendererOptions) => Worker;
	private readonly idleExitMs: number;

	public constructor(
		private readonly size: number,
		private readonly rendererOptions: WorkerRendererOptions,
		options: RenderWorkerPoolOptions = {}
	) {
		this.slots = new Array<Slot | undefined>(Math.max(1, size)).fill(undefined);
		this.renderTimeoutMs = options.renderTimeoutMs ?? 20_000;
		this.spawn = options.spawn ?? spawnChartWorker;
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
		const id = this.nextId++;
		return new Promise<RenderResult>((resolve, reject) => {
			// Counted from the request: a worker hung at start times out too.
			const timer = setTimeout(() => slot.fail(new ChartRenderError(`chart worker did not answer within ${this.renderTimeoutMs} ms; terminated and replaced`)), this.renderTimeoutMs);
			timer.unref();
			slot.pending.set(id, { resolve, reject, postMs: 0, timer });
			// Keep the process alive only while a render is in flight.
			slot.worker.ref();
			slot.ready.then(
				() => {
					const waiter = slot.pending.get(id);
					if (!waiter) return;
					const start = performance.now();
					slot.worker.postMessage({ id, spec } satisfies WorkerRequest);
					waiter.postMs = performance.now() - start;
				},
				() => undefined
			);
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
		const worker = this.spawn(this.rendererOptions);
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
		let failed = false;
		const fail = (error: Error) => {
			if (this.slots[index] === slot) this.slots[index] = undefined;
			clearTimeout(slot.idleTimer);
			failStart(error);
			for (const waiter of pending.values()) {
				clearTimeout(waiter.timer);
				waiter.reject(error);
			}
			pending.clear();
			if (failed) return;
			failed = true;
			// A stuck worker never exits on its own.
			void worker.terminate().catch(() => undefined);
		};
		const slot: Slot = { worker, ready, pending, fail };

		worker.on('message', (reply: WorkerReply) => {
			const start = performance.now();
			if (reply.ok && reply.ready) return markReady();
			const waiter = pending.get(reply.id);
			if (!waiter) return;
			pending.delete(reply.id);
			clearTimeout(waiter.timer);
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
		worker.on('error', (error) => fail(new ChartRenderError(`chart worker crashed: ${error.message}`)));
		worker.on('exit', (code) => fail(new ChartRenderError(`chart worker exited with code ${code}`)));
		this.slots[index] = slot;
		return slot;
	}
}

export function spawnChartWorker(options: WorkerRendererOptions): Worker {
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
