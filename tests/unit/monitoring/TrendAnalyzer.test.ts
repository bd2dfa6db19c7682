import { describe, expect, it } from 'vitest';
import { analyzeTrend, TrendAnalyzer, type TrendPoint } from '#lib/monitoring/TrendAnalyzer.js';

const series = (values: number[], stepMs = 30_000): TrendPoint[] => values.map((v, index) => ({ t: 1_000_000 + index * stepMs, v }));

describe('analyzeTrend', () => {
	it('sees a steady climb as increasing with the right slope', () => {
		// +1 per 30 s sample = +2 per minute.
		const trend = analyzeTrend(series([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]));
		expect(trend.direction).toBe('increasing');
		expect(trend.slopePerMinute).toBeCloseTo(2, 6);
		expect(trend.change).toBeCloseTo(9, 6);
	});

	it('sees a fall as decreasing', () => {
		expect(analyzeTrend(series([400, 380, 350, 330, 300, 280, 250])).direction).toBe('decreasing');
	});

	it('keeps noise around a flat line inside the dead band (stable)', () => {
		const noisy = [60, 62, 59, 61, 60, 63, 58, 61, 60, 62, 59, 61];
		const trend = analyzeTrend(series(noisy));
		expect(trend.direction).toBe('stable');
		expect(Math.abs(trend.relativeChange)).toBeLessThan(0.1);
	});

	it('calls a change just inside the dead band stable and just outside it a trend', () => {
		// Mean ~100; a fitted change of 8 over the window is 8% (< 10%), of 12 is 12%.
		const inside = analyzeTrend(series([96, 98, 100, 102, 104]));
		expect(inside.relativeChange).toBeCloseTo(0.08, 6);
		expect(inside.direction).toBe('stable');
		const outside = analyzeTrend(series([94, 97, 100, 103, 106]));
		expect(outside.direction).toBe('increasing');
		expect(analyzeTrend(series([96, 98, 100, 102, 104]), { deadBandRatio: 0.05 }).direction).toBe('increasing');
	});

	it('ignores large relative moves of tiny absolute size when told to', () => {
		const cpu = series([1, 1.2, 1.4, 1.6, 1.8, 2]);
		expect(analyzeTrend(cpu).direction).toBe('increasing');
		expect(analyzeTrend(cpu, { minAbsoluteChange: 5 }).direction).toBe('stable');
	});

	it('needs enough points', () => {
		expect(analyzeTrend(series([1, 100])).direction).toBe('stable');
		expect(analyzeTrend([]).direction).toBe('stable');
	});

	it('uses real time, not sample index (uneven spacing)', () => {
		const points = [
			{ t: 0, v: 10 },
			{ t: 60_000, v: 10 },
			{ t: 120_000, v: 10 },
			{ t: 180_000, v: 10 },
			{ t: 1_800_000, v: 40 }
		];
		const trend = analyzeTrend(points);
		expect(trend.direction).toBe('increasing');
		expect(trend.slopePerMinute).toBeGreaterThan(0.9);
		expect(trend.slopePerMinute).toBeLessThan(1.1);
	});
});

describe('TrendAnalyzer', () => {
	it('applies per-metric dead bands', () => {
		const analyzer = new TrendAnalyzer({ cpuPercent: { minAbsoluteChange: 5 } });
		const result = analyzer.analyze({ cpuPercent: series([1, 1.5, 2, 2.5, 3]), heapUsedMB: series([100, 110, 120, 130, 140]) });
		expect(result.cpuPercent.direction).toBe('stable');
		expect(result.heapUsedMB.direction).toBe('increasing');
	});
});
