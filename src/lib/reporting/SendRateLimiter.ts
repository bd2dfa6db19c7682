/**
 * Paces our own sends per channel so normal operation never meets Discord's per-channel limit
 * (about 5 messages per 5 s). discord.js would wait out a 429 on its own, but every 429 counts
 * towards Discord's invalid-request ban, so we stay under the limit instead of bouncing off it.
 *
 * An interface so a fleet of processes posting to the same channels can share one budget
 * (e.g. a Redis sorted set per channel) instead of each process having its own.
 */
export interface SendRateLimiter {
	/**
	 * Reserves one send on `key` if the window allows it and returns 0; otherwise returns the ms
	 * until a slot frees up and reserves nothing. `urgent` sends (critical events) may use the
	 * slots that ordinary traffic leaves free.
	 */
	tryAcquire(key: string, now: number, urgent: boolean): number | Promise<number>;
	/** Moves the newest reservation of `key` to `now`, when the send finished (it reached Discord at or before this). */
	complete?(key: string, now: number): void | Promise<void>;
	/** Gives back the newest reservation of `key`: the send never reached Discord (connection refused). */
	cancel?(key: string): void | Promise<void>;
}

export interface SlidingWindowOptions {
	/** Sends allowed per window and key. Default 5. */
	limit?: number;
	/** Window length in ms. Default 5000. */
	windowMs?: number;
	/** Extra ms added to the window against clock and network jitter. Default 250. */
	marginMs?: number;
	/** Slots of each window only urgent sends may take, so a critical event never waits behind a backlog. Default 1. */
	reservedForUrgent?: number;
	/**
	 * Sends that may go back to back; beyond them, sends are spaced by window/limit. Without this, a
	 * stream of criticals spends the whole window in the first 300 ms and then waits 5 s. Default 2.
	 */
	burst?: number;
}

/** In-process sliding window: at most `limit` sends in any `windowMs + marginMs` per key, bursts smoothed. */
export class SlidingWindowRateLimiter implements SendRateLimiter {
	private readonly limit: number;
	private readonly windowMs: number;
	private readonly reserved: number;
	private readonly burst: number;
	private readonly spacingMs: number;
	private readonly sends = new Map<string, number[]>();

	public constructor(options: SlidingWindowOptions = {}) {
		this.limit = Math.max(1, options.limit ?? 5);
		this.windowMs = (options.windowMs ?? 5000) + (options.marginMs ?? 250);
		this.reserved = Math.min(Math.max(0, options.reservedForUrgent ?? 1), this.limit - 1);
		this.burst = Math.max(1, options.burst ?? 2);
		this.spacingMs = Math.ceil(this.windowMs / this.limit);
	}

	public tryAcquire(key: string, now: number, urgent: boolean): number {
		const stamps = this.stamps(key, now);
		const allowed = urgent ? this.limit : this.limit - this.reserved;
		// A slot frees when the (length - allowed + 1)-th oldest send leaves the window.
		const windowWait = stamps.length < allowed ? 0 : stamps[stamps.length - allowed]! + this.windowMs - now;
		const spacingWait = stamps.length < this.burst ? 0 : stamps[stamps.length - 1]! + this.spacingMs - now;
		const wait = Math.max(windowWait, spacingWait);
		if (wait <= 0) {
			stamps.push(now);
			return 0;
		}
		return Math.max(1, wait);
	}

	public complete(key: string, now: number): void {
		const stamps = this.sends.get(key);
		if (stamps?.length) stamps[stamps.length - 1] = Math.max(stamps[stamps.length - 1]!, now);
	}

	public cancel(key: string): void {
		this.sends.get(key)?.pop();
	}

	private stamps(key: string, now: number): number[] {
		let stamps = this.sends.get(key);
		if (!stamps) this.sends.set(key, (stamps = []));
		while (stamps.length && stamps[0]! <= now - this.windowMs) stamps.shift();
		return stamps;
	}
}
