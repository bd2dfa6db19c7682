import { createCanvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { ChartRenderer } from '#lib/charts/ChartRenderer.js';
import { discordDarkTheme, rampColor, withAlpha } from '#lib/charts/ChartTheme.js';
import { lttb } from '#lib/charts/downsample.js';
import { formatCompact, formatNumber } from '#lib/charts/formatNumber.js';
import { cleanLabel, fitText } from '#lib/charts/textFit.js';

describe('number formatting', () => {
	it('formats axis values compactly without "1000k"', () => {
		expect([0, 7, 2.5, 950, 1000, 1234, 12_345, 999_400, 999_950, 1_250_000, 3e9].map(formatCompact)).toEqual([
			'0',
			'7',
			'2.5',
			'950',
			'1k',
			'1.2k',
			'12.3k',
			'999k',
			'1M',
			'1.3M',
			'3B'
		]);
		expect(formatCompact(-1500)).toBe('-1.5k');
		expect(formatCompact(2.5e15)).toBe('2500T');
		expect(formatCompact(Number.NaN)).toBe('–');
	});

	it('formats summary values exactly with grouping, compact past a million', () => {
		expect(formatNumber(12_345)).toBe('12,345');
		expect(formatNumber(12.34)).toBe('12.3');
		expect(formatNumber(2_500_000)).toBe('2.5M');
	});
});

describe('text fitting', () => {
	// Registers the bundled font for the measurements below.
	new ChartRenderer();
	const ctx = createCanvas(10, 10).getContext('2d');
	ctx.font = `16px "${discordDarkTheme.fontFamily}"`;

	it('truncates with an ellipsis to the width, keeps short text whole', () => {
		expect(fitText(ctx, 'general', 200)).toBe('general');
		const long = 'dev-help-and-questions-about-everything-else';
		const fitted = fitText(ctx, long, 150);
		expect(fitted.endsWith('…')).toBe(true);
		expect(ctx.measureText(fitted).width).toBeLessThanOrEqual(150);
		// As long as fits: one more character would not.
		const kept = fitted.slice(0, -1);
		expect(ctx.measureText(long.slice(0, kept.length + 1) + '…').width).toBeGreaterThan(150);
		expect(fitText(ctx, long, 0)).toBe('');
	});

	it('drops emoji and folds fancy letters the font cannot draw', () => {
		expect(cleanLabel('xX_DarkPhoenix_Xx ✨🔥')).toBe('xX_DarkPhoenix_Xx');
		expect(cleanLabel('𝓐𝓵𝓲𝓬𝓮')).toBe('Alice');
		expect(cleanLabel('👨‍👩‍👧 family 🇫🇷')).toBe('family');
		expect(cleanLabel('🔥🔥', '#channel')).toBe('#channel');
		expect(cleanLabel('Zoë — café')).toBe('Zoë — café');
	});
});

describe('lttb', () => {
	it('keeps first, last and the extremes, and returns the threshold count', () => {
		const values = Array.from({ length: 2160 }, (_, i) => (i === 1000 ? 500 : i === 1500 ? -200 : Math.sin(i / 30) * 10));
		const sampled = lttb(values, 300);
		expect(sampled).toHaveLength(300);
		expect(sampled[0]).toEqual({ x: 0, y: values[0] });
		expect(sampled.at(-1)).toEqual({ x: 2159, y: values[2159] });
		expect(sampled).toContainEqual({ x: 1000, y: 500 });
		expect(sampled).toContainEqual({ x: 1500, y: -200 });
		const xs = sampled.map((p) => p.x);
		expect(xs).toEqual([...xs].sort((a, b) => a - b));
	});

	it('returns every point when there are few enough', () => {
		expect(lttb([3, 1, 2], 10)).toEqual([
			{ x: 0, y: 3 },
			{ x: 1, y: 1 },
			{ x: 2, y: 2 }
		]);
	});
});

describe('theme colours', () => {
	it('mixes alpha and ramps', () => {
		expect(withAlpha('#5865f2', 0.5)).toBe('rgba(88, 101, 242, 0.5)');
		expect(rampColor(['#000000', '#ffffff'], 0)).toBe('rgb(0, 0, 0)');
		expect(rampColor(['#000000', '#ffffff'], 0.5)).toBe('rgb(128, 128, 128)');
		expect(rampColor(['#000000', '#ff0000', '#ffffff'], 1)).toBe('rgb(255, 255, 255)');
		expect(rampColor(['#000000', '#ffffff'], 7)).toBe('rgb(255, 255, 255)');
	});
});

describe('heatmap axes', () => {
	it('names 7 Monday-first rows and 24 hour columns, and maps Sunday-first weekdays', async () => {
		const { HEATMAP_HOURS, HEATMAP_WEEKDAYS, mondayFirstWeekday } = await import('#lib/charts/heatmapAxes.js');
		expect(HEATMAP_WEEKDAYS).toHaveLength(7);
		expect([HEATMAP_HOURS[0], HEATMAP_HOURS[23], HEATMAP_HOURS.length]).toEqual(['00', '23', 24]);
		// 2024-03-10 was a Sunday, 2024-03-11 a Monday.
		expect(HEATMAP_WEEKDAYS[mondayFirstWeekday(new Date(Date.UTC(2024, 2, 10)).getUTCDay())]).toBe('Sun');
		expect(HEATMAP_WEEKDAYS[mondayFirstWeekday(new Date(Date.UTC(2024, 2, 11)).getUTCDay())]).toBe('Mon');
	});
});
