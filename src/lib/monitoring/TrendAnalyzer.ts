export type TrendDirection = 'increasing' | 'decreasing' | 'stable';

export interface TrendPoint {
	/** Timestamp, ms. */
	t: number;
	v: number;
}

export interface Trend {
	direction: TrendDirection;
	/** Least-squares slope, units per minute. */
	slopePerMinute: number;
	/** Slope × window length: how much the fitted line moved over the window. */
	change: number;
	/** change / |mean|. */
	relativeChange: number;
	points: number;
}

export interface TrendOptions {
	/** |relativeChange| below this is "stable" (dead band). Default 0.1 (10% over the window). */
	deadBandRatio?: number;
	/** |change| below this is "stable" whatever the ratio (e.g. CPU going 1% -> 2%). Default 0. */
	minAbsoluteChange?: number;
	/** Fewer points than this are "stable". Default 5. */
	minPoints?: number;
}

/**
 * Pure trend of one series: fits a line over the rolling window and calls it increasing or
 * decreasing only when the fitted change over the window leaves a dead band, both relative to the
 * series' mean and absolute, so noise around a flat line stays "stable".
 */
export function analyzeTrend(points: readonly TrendPoint[], options: TrendOptions = {}): Trend {
	const deadBand = options.deadBandRatio ?? 0.1;
	const minAbsolute = options.minAbsoluteChange ?? 0;
	const minPoints = options.minPoints ?? 5;
	const n = points.length;
	if (n < 2) return { direction: 'stable', slopePerMinute: 0, change: 0, relativeChange: 0, points: n };

	const t0 = points[0].t;
	let sumX = 0;
	let sumY = 0;
	for (const point of points) {
		sumX += (point.t - t0) / 60_000;
		sumY += point.v;
	}
	const meanX = sumX / n;
	const meanY = sumY / n;
	let sxy = 0;
	let sxx = 0;
	for (const point of points) {
		const dx = (point.t - t0) / 60_000 - meanX;
		sxy += dx * (point.v - meanY);
		sxx += dx * dx;
	}
	const slope = sxx > 0 ? sxy / sxx : 0;
	const spanMinutes = (points[n - 1].t - t0) / 60_000;
	const change = slope * spanMinutes;
	const relativeChange = Math.abs(meanY) > 1e-9 ? change / Math.abs(meanY) : change === 0 ? 0 : Math.sign(change) * Infinity;
	const outside = n >= minPoints && Math.abs(change) >= minAbsolute && Math.abs(relativeChange) >= deadBand;
	return { direction: outside ? (change > 0 ? 'increasing' : 'decreasing') : 'stable', slopePerMinute: slope, change, relativeChange, points: n };
}

/** Trends for several named series, each with its own dead band. */
export class TrendAnalyzer {
	public constructor(
		private readonly perMetric: Record<string, TrendOptions> = {},
		private readonly defaults: TrendOptions = {}
	) {}

	public analyze(series: Record<string, readonly TrendPoint[]>): Record<string, Trend> {
		const out: Record<string, Trend> = {};
		for (const [name, points] of Object.entries(series)) out[name] = analyzeTrend(points, { ...this.defaults, ...this.perMetric[name] });
		return out;
	}
}
