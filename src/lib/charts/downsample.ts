export interface XYPoint {
	x: number;
	y: number;
}

/**
 * Largest-Triangle-Three-Buckets: keeps the `threshold` points that best preserve the shape
 * (peaks and dips survive, unlike averaging). Chart.js's own decimation needs a linear x axis;
 * doing it here lets a category axis keep the caller's labels. x are label indexes.
 */
export function lttb(values: readonly number[], threshold: number): XYPoint[] {
	const n = values.length;
	if (threshold >= n || threshold < 3) return values.map((y, x) => ({ x, y }));

	const sampled: XYPoint[] = [{ x: 0, y: values[0] }];
	const every = (n - 2) / (threshold - 2);
	let a = 0;
	for (let i = 0; i < threshold - 2; i++) {
		// average of the next bucket is the third triangle corner
		const nextStart = Math.floor((i + 1) * every) + 1;
		const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
		let avgX = 0;
		let avgY = 0;
		for (let j = nextStart; j < nextEnd; j++) {
			avgX += j;
			avgY += values[j];
		}
		const span = nextEnd - nextStart || 1;
		avgX /= span;
		avgY /= span;

		const start = Math.floor(i * every) + 1;
		const end = Math.floor((i + 1) * every) + 1;
		let best = start;
		let bestArea = -1;
		for (let j = start; j < end; j++) {
			const area = Math.abs((a - avgX) * (values[j] - values[a]) - (a - j) * (avgY - values[a]));
			if (area > bestArea) {
				bestArea = area;
				best = j;
			}
		}
		sampled.push({ x: best, y: values[best] });
		a = best;
	}
	sampled.push({ x: n - 1, y: values[n - 1] });
	return sampled;
}
