import { describe, expect, it } from 'vitest';
import { discordDarkTheme } from '#lib/charts/ChartTheme.js';
import { buildTimeSeriesConfig } from '#lib/charts/timeSeriesChartConfig.js';

const plot = { x: 32, y: 200, width: 1136, height: 430 };
const base = { width: 1200, height: 675, plot, unit: 1, theme: discordDarkTheme, pixelRatio: 1, maxLinePoints: 500 };

describe('buildTimeSeriesConfig', () => {
	const labels = Array.from({ length: 2160 }, (_, i) => `h${i}`);
	const config = buildTimeSeriesConfig(
		{
			title: 't',
			labels,
			series: [
				{ label: 'Messages', values: labels.map((_, i) => i % 50) },
				{ label: 'Joins', values: labels.map(() => 1), kind: 'bar', color: '#57f287' },
				{ label: 'Voice', values: labels.map(() => 2), axis: 'right' }
			]
		},
		base
	);
	const datasets = config.data.datasets as unknown as { type: string; data: { x: number; y: number }[]; yAxisID: string; fill: unknown; order: number }[];

	it('decimates long lines, keeps bars whole, passes pre-parsed points', () => {
		expect(config.options?.parsing).toBe(false);
		expect(datasets[0].data).toHaveLength(500);
		expect(datasets[1].data).toHaveLength(2160);
		expect(datasets[1].data[5]).toEqual({ x: 5, y: 1 });
	});

	it('puts the plot where the frame leaves room and adds the right axis only when asked', () => {
		expect(config.options?.layout?.padding).toEqual({ left: 32, top: 200, right: 32, bottom: 45 });
		expect(datasets.map((d) => d.yAxisID)).toEqual(['y', 'y', 'y1']);
		expect(Object.keys(config.options?.scales ?? {})).toEqual(['x', 'y', 'y1']);
		const single = buildTimeSeriesConfig({ title: 't', labels: ['a'], series: [{ label: 'm', values: [1] }] }, base);
		expect(Object.keys(single.options?.scales ?? {})).toEqual(['x', 'y']);
	});

	it('draws lines over bars, and fills under a lone line only when no bars would be tinted', () => {
		expect(datasets[0].order).toBeLessThan(datasets[1].order);
		expect(datasets[0].fill).toBe(false);
		const lone = buildTimeSeriesConfig({ title: 't', labels: ['a', 'b'], series: [{ label: 'm', values: [1, 2] }] }, base);
		expect((lone.data.datasets[0] as { fill?: unknown }).fill).toBe('origin');
	});

	it('sets the font on every text element (no reliance on Chart.defaults)', () => {
		const scales = config.options?.scales as Record<string, { ticks: { font: { family: string } } }>;
		for (const axis of ['x', 'y', 'y1']) expect(scales[axis].ticks.font.family).toBe(discordDarkTheme.fontFamily);
		const legend = config.options?.plugins?.legend?.labels as { font: { family: string } };
		expect(legend.font.family).toBe(discordDarkTheme.fontFamily);
	});

	it('limits x ticks to what fits and formats y ticks compactly', () => {
		const scales = config.options?.scales as Record<string, { ticks: { maxTicksLimit: number; maxRotation?: number; callback?: (v: number) => string } }>;
		expect(scales.x.ticks.maxTicksLimit).toBeLessThanOrEqual(10);
		expect(scales.x.ticks.maxRotation).toBe(0);
		expect(scales.y.ticks.callback?.(12_500)).toBe('12.5k');
	});
});
