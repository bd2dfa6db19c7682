import type { MonitorJob } from './monitorTypes.js';

export interface MonitorScheduleOptions {
	intervals: Record<MonitorJob, number>;
	/** Jobs run on this process's own unref'd timers; the rest are called by scheduled tasks. */
	localTimers: readonly MonitorJob[];
	/** What each job does. */
	jobs: Record<MonitorJob, () => unknown>;
	/** A local timer's tick when it is not the job itself (default: `run(job)`). */
	localTick?: Partial<Record<MonitorJob, () => void>>;
	/** A job threw (after it was counted). */
	onError: (job: MonitorJob, error: unknown) => void;
}

/** Runs the monitor's jobs: by name (never throwing, overlapping runs skipped) and on local timers. */
export class MonitorSchedule {
	public readonly localTimers: readonly MonitorJob[];
	private readonly options: MonitorScheduleOptions;
	private readonly timers: NodeJS.Timeout[] = [];
	private readonly running = new Set<MonitorJob>();
	private errors = 0;

	public constructor(options: MonitorScheduleOptions) {
		this.options = options;
		this.localTimers = options.localTimers;
	}

	/** Jobs that threw so far. */
	public get errorCount(): number {
		return this.errors;
	}

	public startTimers(): void {
		for (const job of this.localTimers) {
			const tick = this.options.localTick?.[job] ?? (() => void this.run(job));
			const timer = setInterval(tick, this.options.intervals[job]);
			timer.unref();
			this.timers.push(timer);
		}
	}

	public stopTimers(): void {
		for (const timer of this.timers.splice(0)) clearInterval(timer);
	}

	public async run(job: MonitorJob): Promise<void> {
		if (this.running.has(job)) return;
		this.running.add(job);
		try {
			await this.options.jobs[job]();
		} catch (error) {
			this.errors++;
			this.options.onError(job, error);
		} finally {
			this.running.delete(job);
		}
	}
}
