import { createHash } from 'node:crypto';

export interface WindowLimit {
	limit: number;
	windowMs: number;
}

export interface RateLimitConfig {
	/** Message POSTs per channel (Discord: about 5 per 5 s). */
	perChannel: WindowLimit;
	/** Requests per bot across all routes except interaction callbacks and webhook-token routes (Discord: 50/s). */
	global: WindowLimit;
	/** Every other route, per route and major parameter; generous, it exists so every response carries bucket headers. */
	perRoute: WindowLimit;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
	perChannel: { limit: 5, windowMs: 5000 },
	global: { limit: 50, windowMs: 1000 },
	perRoute: { limit: 50, windowMs: 1000 }
};

/** A fixed window that opens with its first request, like Discord's per-route buckets. */
class FixedWindow {
	public remaining: number;
	public resetAt = 0;

	public constructor(public readonly limit: number, private readonly windowMs: number) {
		this.remaining = limit;
	}

	public take(now: number): boolean {
		if (now >= this.resetAt) {
			this.remaining = this.limit;
			this.resetAt = now + this.windowMs;
		}
		if (this.remaining <= 0) return false;
		this.remaining--;
		return true;
	}
}

export interface RateLimitDecision {
	/** Headers for the response, 429 or not. */
	headers: Record<string, string>;
	/** Set when the request must be answered with 429. */
	limited?: { retryAfterMs: number; global: boolean };
}

/** Long demo runs touch many (route, channel) pairs; expired windows are dropped past this many. */
const MAX_BUCKETS = 10_000;

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** Discord-like bucket hash: stable per route template, opaque to clients. */
export function bucketHash(route: string): string {
	return createHash('sha1').update(route).digest('hex').slice(0, 32);
}

/**
 * Per-route and global buckets with Discord's headers. discord.js reads X-RateLimit-Remaining and
 * Reset-After to pace itself, and on 429 only the Retry-After header, so both are always sent.
 */
export class RateLimiter {
	private readonly buckets = new Map<string, FixedWindow>();
	private readonly globalWindow: FixedWindow;

	public constructor(private readonly config: RateLimitConfig, private readonly now: () => number = Date.now) {
		this.globalWindow = new FixedWindow(config.global.limit, config.global.windowMs);
	}

	/**
	 * @param route template, e.g. 'POST /channels/:id/messages'
	 * @param major the major parameter (channel, guild or webhook id) that splits the bucket
	 * @param exemptFromGlobal interaction callbacks and webhook-token routes are not globally limited
	 */
	public check(route: string, major: string, exemptFromGlobal: boolean): RateLimitDecision {
		const now = this.now();
		if (!exemptFromGlobal && !this.globalWindow.take(now)) {
			const retryAfterMs = this.globalWindow.resetAt - now;
			return {
				headers: {
					'Retry-After': seconds(retryAfterMs),
					'X-RateLimit-Global': 'true',
					'X-RateLimit-Scope': 'global'
				},
				limited: { retryAfterMs, global: true }
			};
		}
		const limits = route === 'POST /channels/:id/messages' ? this.config.perChannel : this.config.perRoute;
		const key = `${route}|${major}`;
		let bucket = this.buckets.get(key);
		if (!bucket) {
			if (this.buckets.size >= MAX_BUCKETS) this.pruneExpired(now);
			bucket = new FixedWindow(limits.limit, limits.windowMs);
			this.buckets.set(key, bucket);
		}
		const ok = bucket.take(now);
		const headers = this.bucketHeaders(route, bucket, now);
		if (ok) return { headers };
		const retryAfterMs = bucket.resetAt - now;
		return { headers: { ...headers, 'Retry-After': seconds(retryAfterMs), 'X-RateLimit-Scope': 'user' }, limited: { retryAfterMs, global: false } };
	}

	/** Headers for a 429 the test forced; the real bucket state is left alone. */
	public forcedHeaders(route: string, retryAfterMs: number, global: boolean): Record<string, string> {
		const now = this.now();
		const headers: Record<string, string> = {
			'Retry-After': seconds(retryAfterMs),
			'X-RateLimit-Scope': global ? 'global' : 'user'
		};
		if (global) headers['X-RateLimit-Global'] = 'true';
		else {
			const limits = route === 'POST /channels/:id/messages' ? this.config.perChannel : this.config.perRoute;
			headers['X-RateLimit-Limit'] = String(limits.limit);
			headers['X-RateLimit-Remaining'] = '0';
			headers['X-RateLimit-Reset'] = seconds(now + retryAfterMs);
			headers['X-RateLimit-Reset-After'] = seconds(retryAfterMs);
			headers['X-RateLimit-Bucket'] = bucketHash(route);
		}
		return headers;
	}

	private pruneExpired(now: number): void {
		for (const [key, window] of this.buckets) if (window.resetAt <= now) this.buckets.delete(key);
	}

	private bucketHeaders(route: string, bucket: FixedWindow, now: number): Record<string, string> {
		return {
			'X-RateLimit-Limit': String(bucket.limit),
			'X-RateLimit-Remaining': String(bucket.remaining),
			'X-RateLimit-Reset': seconds(bucket.resetAt),
			'X-RateLimit-Reset-After': seconds(bucket.resetAt - now),
			'X-RateLimit-Bucket': bucketHash(route)
		};
	}
}
