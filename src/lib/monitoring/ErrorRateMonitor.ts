export interface ErrorRateSnapshot {
	at: number;
	windowMs: number;
	/** Errors inside the window. */
	count: number;
	perMinute: number;
	total: number;
	/** Counts inside the window by source (bounded: at most `maxSources`, the rest is "other"). */
	bySource: Record<string, number>;
	lastError: { at: number; source: string; message: string } | null;
}

export interface ErrorRateMonitorOptions {
	windowMs?: number;
	/** Width of one bucket; the window slides by this step. */
	bucketMs?: number;
	maxSources?: number;
	now?: () => number;
}

/**
 * Errors per minute over a sliding window, kept as a fixed ring of time buckets: O(1) per error,
 * constant memory no matter how many errors arrive. Fed by the logger sink and command failures.
 */
export class ErrorRateMonitor {
	private readonly windowMs: number;
	private readonly bucketMs: number;
	private readonly maxSources: number;
	private readonly now: () => number;
	private readonly counts: Uint32Array;
	/** Which bucket index (absolute time / bucketMs) each slot currently holds. */
	private readonly slots: Float64Array;
	private readonly sources: Map<string, Uint32Array> = new Map();
	private total = 0;
	private lastError: ErrorRateSnapshot['lastError'] = null;

	public constructor(options: ErrorRateMonitorOptions = {}) {
		this.windowMs = options.windowMs ?? 5 * 60_000;
		this.bucketMs = options.bucketMs ?? 10_000;
		this.maxSources = options.maxSources ?? 20;
		this.now = options.now ?? Date.now;
		const buckets = Math.max(1, Math.ceil(this.windowMs / this.bucketMs));
		this.counts = new Uint32Array(buckets);
		this.slots = new Float64Array(buckets).fill(-1);
	}

	public record(source = 'error', message = ''): void {
		const at = this.now();
		const bucket = Math.floor(at / this.bucketMs);
		const slot = bucket % this.counts.length;
		if (this.slots[slot] !== bucket) this.resetSlot(slot, bucket);
		this.counts[slot]++;
		const key = this.sources.has(source) || this.sources.size < this.maxSources ? source : 'other';
		let perSlot = this.sources.get(key);
		if (!perSlot) this.sources.set(key, (perSlot = new Uint32Array(this.counts.length)));
		perSlot[slot]++;
		this.total++;
		this.lastError = { at, source, message: message.slice(0, 300) };
	}

	public snapshot(): ErrorRateSnapshot {
		const at = this.now();
		const current = Math.floor(at / this.bucketMs);
		const oldest = current - this.counts.length + 1;
		let count = 0;
		const bySource: Record<string, number> = {};
		for (let slot = 0; slot < this.counts.length; slot++) {
			if (this.slots[slot] < oldest || this.slots[slot] > current) continue;
			count += this.counts[slot];
			for (const [source, perSlot] of this.sources) if (perSlot[slot] > 0) bySource[source] = (bySource[source] ?? 0) + perSlot[slot];
		}
		const windowMs = this.counts.length * this.bucketMs;
		return { at, windowMs, count, perMinute: (count / windowMs) * 60_000, total: this.total, bySource, lastError: this.lastError };
	}

	private resetSlot(slot: number, bucket: number): void {
		this.slots[slot] = bucket;
		this.counts[slot] = 0;
		for (const perSlot of this.sources.values()) perSlot[slot] = 0;
	}
}
