import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ClaimOutcome = 'claimed' | 'done' | 'pending';

/**
 * What the daily summary needs from a claim backend (Redis across a fleet, or the statistics store
 * for a single process): take a day, check it is still ours right before sending, mark it done
 * once the summary is sent or durably spooled, or let it go.
 */
export interface DayClaims {
	claim(day: string): Promise<ClaimOutcome>;
	/** Still ours (renews it): false once it expired, was taken over, or is done. Checked right before sending. */
	holds(day: string): Promise<boolean>;
	/** Marks the day done if it is still ours; false when another owner has it (nothing is changed then). */
	markDone(day: string): Promise<boolean>;
	release(day: string): Promise<void>;
}

export interface SummaryClaimsOptions {
	redis: Redis;
	/** Key prefix, e.g. `nexus:<TASKS_QUEUE>:summary:`; the day is appended. */
	prefix: string;
	/** How long a claim holds without renewal while its owner builds and sends the summary. Default 300 s. */
	pendingTtlMs?: number;
	/** How long a posted day stays marked. Default 7 days (longer than any catch-up window). */
	doneTtlSeconds?: number;
}

/** Compare-and-set on the fencing token: only the claim's owner may renew, finish or drop it. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const MARK_DONE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], 'done', 'EX', ARGV[2]) return 1 end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Exactly-once across processes for the daily summary. A claim is `SET <prefix><day> <token> NX PX`
 * with a fresh random token per claim (a fencing token). Every later step is a Lua compare-and-set
 * on that token, atomic in Redis: `holds` (renew right before sending), `markDone` (only once the
 * summary was sent or fsync'd to the spool) and `release`. A process that stalled past its TTL and
 * lost the day to another finds the token changed and neither sends nor marks anything. A claim
 * whose owner died (SIGKILL) before the summary was durable expires, and the day is posted by the
 * next run instead of being lost.
 */
export class SummaryClaims implements DayClaims {
	private readonly redis: Redis;
	private readonly prefix: string;
	private readonly pendingTtlMs: number;
	private readonly doneTtl: number;
	private readonly tokens = new Map<string, string>();

	public constructor(options: SummaryClaimsOptions) {
		this.redis = options.redis;
		this.prefix = options.prefix;
		this.pendingTtlMs = options.pendingTtlMs ?? 300_000;
		this.doneTtl = options.doneTtlSeconds ?? 7 * 86_400;
	}

	public key(day: string): string {
		return `${this.prefix}${day}`;
	}

	public async claim(day: string): Promise<ClaimOutcome> {
		const key = this.key(day);
		const token = `pending:${process.pid}:${randomBytes(8).toString('hex')}`;
		if ((await this.redis.set(key, token, 'PX', this.pendingTtlMs, 'NX')) === 'OK') {
			this.tokens.set(day, token);
			return 'claimed';
		}
		const value = await this.redis.get(key);
		// Expired between the two calls: someone may claim it now; the next run will see.
		return value === 'done' ? 'done' : 'pending';
	}

	public async holds(day: string): Promise<boolean> {
		const token = this.tokens.get(day);
		if (!token) return false;
		return Number(await this.redis.eval(RENEW, 1, this.key(day), token, String(this.pendingTtlMs))) === 1;
	}

	public async markDone(day: string): Promise<boolean> {
		const token = this.tokens.get(day);
		if (!token) return false;
		this.tokens.delete(day);
		return Number(await this.redis.eval(MARK_DONE, 1, this.key(day), token, String(this.doneTtl))) === 1;
	}

	public async release(day: string): Promise<void> {
		const token = this.tokens.get(day);
		if (!token) return;
		this.tokens.delete(day);
		await this.redis.eval(RELEASE, 1, this.key(day), token);
	}
}
