import { Cron } from 'croner';
import type { Service } from '#lib/ServiceRegistry.js';

/** The part of a ScheduledTask piece the scheduler reads (the same fields BullMQ's repeatables are made from). */
export interface EmbeddedTaskPiece {
	name: string;
	interval: number | null;
	pattern: string | null;
	timezone: string;
	run(payload: unknown): unknown;
}

/** What each run reports, in the order the BullMQ handler emits its client events. */
export interface EmbeddedTaskEvents<P extends EmbeddedTaskPiece = EmbeddedTaskPiece> {
	run(piece: P): void;
	success(piece: P, result: unknown, durationMs: number): void;
	error(error: unknown, piece: P): void;
	finished(piece: P, durationMs: number | null): void;
}

export interface EmbeddedSchedulerOptions<P extends EmbeddedTaskPiece> {
	/** The repeated task pieces (`store.repeatedTasks`), read when watching begins, i.e. once the store is loaded. */
	tasks: () => readonly P[];
	events: EmbeddedTaskEvents<P>;
	/** `debug` gets one line per finished run (the BullMQ path shows runs in Redis instead). */
	log: { info: (m: string) => void; debug?: (m: string) => void };
	now?: () => number;
}

export interface EmbeddedTaskState {
	name: string;
	schedule: string;
	nextRunAt: number | null;
	runs: number;
	failures: number;
	running: boolean;
	skippedOverlaps: number;
}

interface Entry<P> {
	piece: P;
	schedule: string;
	cron?: Cron;
	timer?: NodeJS.Timeout;
	nextRunAt: number | null;
	running: Promise<void> | undefined;
	runs: number;
	failures: number;
	skippedOverlaps: number;
}

/**
 * Runs the `scheduled-tasks` pieces in this process when there is no Redis (one process, nothing
 * else to install). Same pieces, same schedules as BullMQ: `interval` ticks on multiples of the
 * interval since the epoch (as BullMQ's `every` does), `pattern` is a cron in the piece's timezone
 * (UTC) read by croner. A tick that comes while the previous run of the same task is still busy is
 * skipped rather than stacked. Missed ticks while the process was down are not replayed (as with
 * BullMQ, which runs at most one late job); the daily summary catches up on its own marker.
 */
export class EmbeddedScheduler<P extends EmbeddedTaskPiece = EmbeddedTaskPiece> implements Service {
	public readonly name = 'scheduler';
	public readonly kind = 'embedded';
	private readonly entries = new Map<string, Entry<P>>();
	private readonly now: () => number;
	private stopped = false;

	public constructor(private readonly options: EmbeddedSchedulerOptions<P>) {
		this.now = options.now ?? Date.now;
	}

	/** Called from the ready listener, when the task store is loaded. Idempotent. */
	public beginWatching(): void {
		if (this.stopped || this.entries.size > 0) return;
		for (const piece of this.options.tasks()) {
			const entry: Entry<P> = { piece, schedule: describeSchedule(piece), nextRunAt: null, running: undefined, runs: 0, failures: 0, skippedOverlaps: 0 };
			this.entries.set(piece.name, entry);
			if (piece.interval) this.scheduleInterval(entry, piece.interval);
			else if (piece.pattern) {
				entry.cron = new Cron(piece.pattern, { timezone: piece.timezone || 'UTC', unref: true }, () => this.tick(entry));
				entry.nextRunAt = entry.cron.nextRun()?.getTime() ?? null;
			}
		}
		const list = [...this.entries.values()].map((entry) => `${entry.piece.name} (${entry.schedule})`);
		this.options.log.info(`Embedded scheduler: ${list.length} task(s) scheduled in this process: ${list.join(', ')}.`);
	}

	public states(): EmbeddedTaskState[] {
		return [...this.entries.values()].map((entry) => ({
			name: entry.piece.name,
			schedule: entry.schedule,
			nextRunAt: entry.nextRunAt,
			runs: entry.runs,
			failures: entry.failures,
			running: entry.running !== undefined,
			skippedOverlaps: entry.skippedOverlaps
		}));
	}

	/** Runs one task now (as a tick would); resolves when it finished. Unknown names are an error. */
	public async runNow(name: string): Promise<void> {
		const entry = this.entries.get(name);
		if (!entry) throw new Error(`No scheduled task named "${name}".`);
		await (entry.running ?? this.execute(entry));
	}

	/** No new run starts; runs in progress finish (as BullMQ's worker.close() waits for its active job) unless the deadline passes. */
	public async stop(signal?: AbortSignal): Promise<void> {
		this.stopped = true;
		for (const entry of this.entries.values()) {
			entry.cron?.stop();
			clearTimeout(entry.timer);
			entry.nextRunAt = null;
		}
		const running = [...this.entries.values()].flatMap((entry) => (entry.running ? [entry.running] : []));
		if (running.length === 0) return;
		const aborted = new Promise<void>((resolve) => {
			if (signal?.aborted) resolve();
			signal?.addEventListener('abort', () => resolve(), { once: true });
		});
		await Promise.race([Promise.all(running), aborted]);
	}

	private scheduleInterval(entry: Entry<P>, every: number): void {
		const now = this.now();
		const next = Math.floor(now / every) * every + every;
		entry.nextRunAt = next;
		entry.timer = setTimeout(() => {
			if (this.stopped) return;
			this.tick(entry);
			this.scheduleInterval(entry, every);
		}, next - now);
		// Like BullMQ's worker, a schedule alone must not keep a stopping process alive.
		entry.timer.unref();
	}

	private tick(entry: Entry<P>): void {
		if (entry.cron) entry.nextRunAt = entry.cron.nextRun()?.getTime() ?? null;
		if (this.stopped) return;
		if (entry.running) {
			entry.skippedOverlaps++;
			return;
		}
		void this.execute(entry);
	}

	private execute(entry: Entry<P>): Promise<void> {
		// `.finally` runs asynchronously, so even a task that throws at once is marked running until it settled.
		const run = this.runPiece(entry).finally(() => (entry.running = undefined));
		entry.running = run;
		return run;
	}

	private async runPiece(entry: Entry<P>): Promise<void> {
		const { events } = this.options;
		const { piece } = entry;
		const started = performance.now();
		let duration: number | null = null;
		try {
			events.run(piece);
			const result = await piece.run(undefined);
			duration = performance.now() - started;
			entry.runs++;
			events.success(piece, result, duration);
			this.options.log.debug?.(`Scheduled task ${piece.name} ran in ${Math.round(duration)} ms.`);
		} catch (error) {
			entry.failures++;
			events.error(error, piece);
		} finally {
			events.finished(piece, duration);
		}
	}
}

function describeSchedule(piece: EmbeddedTaskPiece): string {
	if (piece.interval) return piece.interval % 1000 === 0 ? `every ${piece.interval / 1000} s` : `every ${piece.interval} ms`;
	return `cron "${piece.pattern}" ${piece.timezone || 'UTC'}`;
}
