import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ClaimOutcome = 'claimed' | 'done' | 'pending';

export interface SummaryClaimsOptions {
	redis: Redis;
	/** Key prefix, e.g. `nexus:<TASKS_QUEUE>:summary:`; the day is appended. */
	prefix: string;
	/** How long a claim holds while its owner builds and enqueues the summary. Default 300 s. */
	pendingTtlSeconds?: number;
	/** How long a posted day stays marked. Default 7 days (longer than any catch-up window). */
	doneTtlSeconds?: number;
}

/** Deletes the key only if it still holds our pending claim (never someone else's, never a done mark). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Exactly-once across processes for the daily summary: before posting a day, a process claims
 * `<prefix><YYYY-MM-DD>` with `SET NX EX` (pending, short TTL); once the summary is handed to the
 * reporter the key becomes `done` for a week. A second process (or a re-delivered BullMQ job) sees
 * `pending` or `done` and does not post. A claim whose owner died mid-post expires, so the day is
 * posted by the next run instead of being lost; a failed build releases the claim at once.
 */
export class SummaryClaims {
	private readonly redis: Redis;
	private readonly prefix: string;
	private readonly pendingTtl: number;
	private readonly doneTtl: number;
	/** Identifies this process's claims, so a release never deletes another process's. */
	private readonly token = `pending:${process.pid}:${randomBytes(6).toString('hex')}`;

	public constructor(options: SummaryClaimsOptions) {
		this.redis = options.redis;
		this.prefix = options.prefix;
		this.pendingTtl = options.pendingTtlSeconds ?? 300;
		this.doneTtl = options.doneTtlSeconds ?? 7 * 86_400;
	}

	public key(day: string): string {
		return `${this.prefix}${day}`;
	}

	public async claim(day: string): Promise<ClaimOutcome> {
		const key = this.key(day);
		if ((await this.redis.set(key, this.token, 'EX', this.pendingTtl, 'NX')) === 'OK') return 'claimed';
		const value = await this.redis.get(key);
		// Expired between the two calls: someone may claim it now; the next run will see.
		return value === 'done' ? 'done' : 'pending';
	}

	/** The summary is with the reporter (which sends or spools it): the day is done. */
	public async confirm(day: string): Promise<void> {
		await this.redis.set(this.key(day), 'done', 'EX', this.doneTtl);
	}

	/** Building the summary failed: let the next run (here or elsewhere) try again. */
	public async release(day: string): Promise<void> {
		await this.redis.eval(RELEASE, 1, this.key(day), this.token);
	}
}
