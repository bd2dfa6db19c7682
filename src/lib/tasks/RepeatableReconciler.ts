export interface RepeatableSpec {
	name: string;
	/** Interval in ms, or a cron pattern with its timezone. */
	every?: number;
	pattern?: string;
	tz?: string;
}

export interface RepeatableJobInfo {
	key: string;
	name: string;
	every?: string | number | null;
	pattern?: string | null;
	tz?: string | null;
}

/** The part of a BullMQ Queue the reconciler needs (kept small so it is easy to reason about). */
export interface RepeatableQueue {
	getRepeatableJobs(start?: number, end?: number, asc?: boolean): Promise<RepeatableJobInfo[]>;
	removeRepeatableByKey(key: string): Promise<boolean>;
}

export interface ReconcileResult {
	removed: string[];
	missing: RepeatableSpec[];
}

const sameSchedule = (job: RepeatableJobInfo, spec: RepeatableSpec) =>
	job.name === spec.name &&
	(spec.every !== undefined ? Number(job.every) === spec.every : job.pattern === spec.pattern && (job.tz ?? 'UTC') === (spec.tz ?? 'UTC'));

/**
 * BullMQ keeps one repeatable per (name, schedule) in Redis and never forgets it: changing an interval
 * leaves the old one firing too, and a Redis without persistence that restarts loses them all while
 * the plugin never re-creates them. This compares what Redis holds with what the loaded tasks
 * declare, removes stale schedules, and returns the missing ones for `createRepeated` (which is
 * deduplicated, so several processes doing this at once is harmless).
 */
export async function reconcileRepeatables(queue: RepeatableQueue, expected: RepeatableSpec[]): Promise<ReconcileResult> {
	const jobs = await queue.getRepeatableJobs(0, -1, true);
	const removed: string[] = [];
	for (const job of jobs) {
		if (!expected.some((spec) => sameSchedule(job, spec))) {
			await queue.removeRepeatableByKey(job.key);
			removed.push(job.name);
		}
	}
	const missing = expected.filter((spec) => !jobs.some((job) => sameSchedule(job, spec)));
	return { removed, missing };
}
