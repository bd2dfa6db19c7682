/**
 * Nearest-rank percentile (p in 0..100) of the given values; NaN when there are none.
 * Sorts a copy, so callers may pass live buffers.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
	const n = values.length;
	if (n === 0) return Number.NaN;
	const sorted = Float64Array.from(values).sort();
	return percentileOfSorted(sorted, p);
}

/** Same as `percentile` on an already ascending array (no copy). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
	const n = sorted.length;
	if (n === 0) return Number.NaN;
	const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * n);
	return sorted[Math.min(n - 1, Math.max(0, rank - 1))];
}

export function mean(values: ArrayLike<number>): number {
	const n = values.length;
	if (n === 0) return Number.NaN;
	let sum = 0;
	for (let index = 0; index < n; index++) sum += values[index];
	return sum / n;
}
