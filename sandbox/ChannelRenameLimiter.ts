import type { WindowLimit } from './RateLimiter.js';

/** Discord's channel rename limit: 2 renames per 10 minutes per channel. */
export const DEFAULT_CHANNEL_RENAME_LIMIT: WindowLimit = { limit: 2, windowMs: 10 * 60_000 };

/**
 * Sliding window of renames per channel, separate from the route buckets like Discord's: the
 * PATCH route itself has plenty of budget, but a third rename inside the window gets a 429 whose
 * Retry-After runs until the oldest rename leaves the window.
 */
export class ChannelRenameLimiter {
	private readonly renames = new Map<string, number[]>();

	public constructor(public readonly config: WindowLimit, private readonly now: () => number) {}

	/** Records a rename and returns null, or returns the ms to wait when the channel is out of renames. */
	public take(channelId: string): number | null {
		const now = this.now();
		const recent = (this.renames.get(channelId) ?? []).filter((at) => at > now - this.config.windowMs);
		if (recent.length >= this.config.limit) {
			this.renames.set(channelId, recent);
			return recent[0]! + this.config.windowMs - now;
		}
		recent.push(now);
		this.renames.set(channelId, recent);
		return null;
	}
}
