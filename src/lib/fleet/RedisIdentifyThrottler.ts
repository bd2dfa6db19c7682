import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

export interface RedisIdentifyThrottlerOptions {
	/** The coordination connection (null/undefined or not ready: this process paces itself alone). */
	redis: () => Redis | undefined;
	/** Key prefix, e.g. `nexus:<queue>:identify:`; the bucket number is appended. */
	prefix: string;
	/** session_start_limit.max_concurrency from GET /gateway/bot. */
	maxConcurrency: number;
	/** What this process is (shard and machine), stored as the lock's value for operators. */
	holder: string;
	/** One identify per bucket per this long, fleet-wide. Discord: 5 s; a margin covers clock and network. Default 5500 ms. */
	windowMs?: number;
	log?: { warn: (message: string) => void };
}

/**
 * discord.js IdentifyThrottler (`ws.buildIdentifyThrottler`) shared by every process of every
 * machine through Redis: before a shard identifies, it must `SET <prefix><shard % max_concurrency> NX PX
 * windowMs`. The key's expiry is the spacing: at most one identify per bucket per window fleet-wide,
 * and a machine that dies right after taking the key blocks its bucket for one window only (nothing
 * to release, nothing to clean up). Without Redis the process spaces its own identifies (like
 * discord.js's SimpleIdentifyThrottler) and says so once.
 */
export class RedisIdentifyThrottler {
	private readonly options: RedisIdentifyThrottlerOptions;
	private readonly windowMs: number;
	private readonly localNext = new Map<number, number>();
	private warned = false;

	public constructor(options: RedisIdentifyThrottlerOptions) {
		this.options = options;
		this.windowMs = options.windowMs ?? 5500;
	}

	public async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
		const bucket = shardId % Math.max(1, this.options.maxConcurrency);
		const key = `${this.options.prefix}${bucket}`;
		for (;;) {
			signal.throwIfAborted();
			const redis = this.options.redis();
			if (!redis || redis.status !== 'ready') {
				await this.waitLocally(bucket, signal);
				return;
			}
			let waitMs: number;
			try {
				if ((await redis.set(key, this.options.holder, 'PX', this.windowMs, 'NX')) === 'OK') return;
				const ttl = await redis.pttl(key);
				waitMs = ttl > 0 ? ttl : 50;
			} catch {
				await this.waitLocally(bucket, signal);
				return;
			}
			// Spread the waiters a little so they do not all retry on the same millisecond.
			await sleep(waitMs + Math.floor(Math.random() * 100), undefined, { signal });
		}
	}

	private async waitLocally(bucket: number, signal: AbortSignal): Promise<void> {
		if (!this.warned) {
			this.warned = true;
			this.options.log?.warn('Identify coordination: Redis unavailable; this process spaces its own identifies (other machines are not coordinated until Redis is back).');
		}
		const now = Date.now();
		const next = this.localNext.get(bucket) ?? 0;
		this.localNext.set(bucket, Math.max(now, next) + this.windowMs);
		if (next > now) await sleep(next - now, undefined, { signal });
	}
}
