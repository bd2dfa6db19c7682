import { percentileOfSorted } from './percentile.js';

export interface SampleStats {
	count: number;
	p50: number;
	p95: number;
	max: number;
	mean: number;
}

/**
 * Numeric samples with timestamps in two preallocated typed arrays (no per-sample allocation),
 * bounded by capacity, and queried over a time window: "p95 of the last 5 minutes".
 */
export class TimedSamples {
	private readonly times: Float64Array;
	private readonly values: Float64Array;
	private head = 0;
	private count = 0;

	public constructor(public readonly capacity: number) {
		this.times = new Float64Array(capacity);
		this.values = new Float64Array(capacity);
	}

	public record(value: number, at: number): void {
		const slot = (this.head + this.count) % this.capacity;
		this.times[slot] = at;
		this.values[slot] = value;
		if (this.count < this.capacity) this.count++;
		else this.head = (this.head + 1) % this.capacity;
	}

	public get size(): number {
		return this.count;
	}

	/** Values recorded at or after `since`, oldest first. */
	public valuesSince(since: number): Float64Array {
		let start = 0;
		// Samples arrive in time order, so skip the old prefix.
		while (start < this.count && this.times[(this.head + start) % this.capacity] < since) start++;
		const out = new Float64Array(this.count - start);
		for (let index = start; index < this.count; index++) out[index - start] = this.values[(this.head + index) % this.capacity];
		return out;
	}

	public stats(since: number): SampleStats {
		const values = this.valuesSince(since).sort();
		const count = values.length;
		if (count === 0) return { count: 0, p50: Number.NaN, p95: Number.NaN, max: Number.NaN, mean: Number.NaN };
		let sum = 0;
		for (let index = 0; index < count; index++) sum += values[index];
		return { count, p50: percentileOfSorted(values, 50), p95: percentileOfSorted(values, 95), max: values[count - 1], mean: sum / count };
	}

	public clear(): void {
		this.head = 0;
		this.count = 0;
	}
}
