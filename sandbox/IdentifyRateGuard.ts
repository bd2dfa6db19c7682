/** One IDENTIFY that came too soon after another of the same bucket. */
export interface IdentifyViolation {
	at: number;
	shardId: number;
	/** shard_id % max_concurrency */
	bucket: number;
	/** Time since the bucket's previous IDENTIFY. */
	gapMs: number;
}

/**
 * Discord's identify rate: shards with the same `shard_id % max_concurrency` share ONE identify per
 * 5 s, bot-wide (every process, every machine). Discord answers an identify over the limit with op 9
 * (invalid session, not resumable); the sandbox does the same and records the violation, so tests
 * can assert there were none.
 */
export class IdentifyRateGuard {
	public readonly violations: IdentifyViolation[] = [];
	private readonly last = new Map<number, number>();

	public constructor(
		private readonly maxConcurrency: () => number,
		private readonly now: () => number,
		private readonly windowMs = 5000
	) {}

	/** True when this IDENTIFY is within the limit (and counts it); false (recorded) when it is not. */
	public admit(shardId: number): boolean {
		const bucket = shardId % Math.max(1, this.maxConcurrency());
		const at = this.now();
		const previous = this.last.get(bucket);
		if (previous !== undefined && at - previous < this.windowMs) {
			this.violations.push({ at, shardId, bucket, gapMs: at - previous });
			return false;
		}
		this.last.set(bucket, at);
		return true;
	}
}
