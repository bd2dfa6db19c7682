import { GlobalFonts } from '@napi-rs/canvas';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChartRenderer, isEmptySpec, timeSeriesLabels } from '#lib/charts/ChartRenderer.js';
import type { ChartSpec } from '#lib/charts/ChartSpecs.js';
import { discordDarkTheme } from '#lib/charts/ChartTheme.js';
import { formatBucketLabels } from '#lib/charts/formatBucketLabels.js';
import { dailyStarts, growthSeries, heatmap, ranking, serverOverview, serverTimeSeries } from './chartFixtures.js';
import { countColour, decodePng, distinctColours, mix } from './pngInspect.js';

// Every image the suite renders is also written here, to look at by eye.
const SAMPLES = join(tmpdir(), 'nexus-chart-samples');

describe('ChartRenderer', () => {
	let renderer: ChartRenderer;
	beforeAll(() => {
		mkdirSync(SAMPLES, { recursive: true });
		renderer = new ChartRenderer();
	});

	const layouts: [string, () => ChartSpec][] = [
		['timeSeries', () => ({ layout: 'timeSeries', ...serverTimeSeries() })],
		['growth', () => ({ layout: 'timeSeries', ...growthSeries() })],
		['ranking', () => ({ layout: 'ranking', ...ranking() })],
		['heatmap', () => ({ layout: 'heatmap', ...heatmap() })],
		['serverOverview', () => ({ layout: 'serverOverview', ...serverOverview() })],
		['composite', () => ({ layout: 'composite', ...serverTimeSeries(), panels: [{ title: 'Top voice channels', items: ranking(5).items, valueLabel: 'min' }] })],
		['empty', () => ({ layout: 'empty', title: 'Voice', subtitle: 'Guild · Last 7 days · UTC' })]
	];

	it.each(layouts)('%s: a decodable 1200x675 PNG with real content', async (name, spec) => {
		const result = await renderer.render(spec());
		writeFileSync(join(SAMPLES, `${name}.png`), result.png);
		expect(result.png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		const image = await decodePng(result.png);
		expect([image.width, image.height]).toEqual([1200, 675]);
		expect([result.width, result.height]).toEqual([1200, 675]);
		expect(distinctColours(image)).toBeGreaterThan(150);
		// The theme background dominates: no transparent or white canvas.
		expect(countColour(image, discordDarkTheme.background, 2)).toBeGreaterThan(1200 * 675 * 0.2);
		expect(result.empty).toBe(name === 'empty');
		expect(result.drawMs).toBeGreaterThan(0);
		expect(result.encodeMs).toBeGreaterThan(0);
		expect(result.mainThreadMs).toBeGreaterThanOrEqual(result.drawMs);
		expect(result.bytes).toBe(result.png.length);
	});

	it('draws every series in the plot area, in its colour', async () => {
		const spec = growthSeries();
		const image = await decodePng(await renderer.renderTimeSeries(spec));
		const plot = { x: 40, y: 240, width: 1100, height: 380 };
		for (const series of spec.series) {
			// Bars are drawn at 85% opacity over the background.
			const colour = series.kind === 'bar' ? mix(series.color!, discordDarkTheme.background, 0.85) : series.color!;
			expect(countColour(image, colour, 10, plot), series.label).toBeGreaterThan(300);
		}
	});

	it('puts the leader of a ranking on a full-width bar and the rest shorter', async () => {
		const spec = ranking(3);
		const image = await decodePng(await renderer.renderRanking(spec));
		// Scan below the summary strip: each run of rows holding accent pixels is one bar.
		const barLengths: number[] = [];
		let inBar = false;
		for (let y = 200; y < 675; y++) {
			const n = countColour(image, discordDarkTheme.accent, 10, { x: 0, y, width: 1200, height: 1 });
			if (n > 0 && !inBar) barLengths.push(0);
			if (n > 0) barLengths[barLengths.length - 1] = Math.max(barLengths[barLengths.length - 1], n);
			inBar = n > 0;
		}
		expect(barLengths).toHaveLength(3);
		expect(barLengths[0]).toBeGreaterThan(500);
		const values = spec.items.map((item) => item.value);
		for (let i = 1; i < 3; i++) expect(barLengths[i] / barLengths[0]).toBeCloseTo(values[i] / values[0], 1);
	});

	it('shows the "no data yet" image for empty data, identical to renderEmpty', async () => {
		const title = 'Server activity';
		const subtitle = 'Empty Guild · Last 7 days · UTC';
		const empty = await renderer.renderEmpty({ title, subtitle });
		const cases: ChartSpec[] = [
			{ layout: 'timeSeries', title, subtitle, labels: [], series: [] },
			{ layout: 'timeSeries', title, subtitle, labels: ['a', 'b'], series: [{ label: 'Messages', values: [0, 0] }] },
			{ layout: 'ranking', title, subtitle, items: [] },
			{ layout: 'heatmap', title, subtitle, rows: ['Mon'], columns: ['00', '01'], values: [[0, 0]] },
			{ layout: 'serverOverview', title, subtitle, labels: [], series: [], topChannels: [], topMembers: [] }
		];
		for (const spec of cases) {
			expect(isEmptySpec(spec)).toBe(true);
			const result = await renderer.render(spec);
			expect(result.empty).toBe(true);
			expect(result.png.equals(empty), spec.layout).toBe(true);
		}
		writeFileSync(join(SAMPLES, 'no-data.png'), empty);
	});

	it('uses the caller’s empty message', async () => {
		const custom = await renderer.render({ layout: 'ranking', title: 'Top', items: [], emptyMessage: 'Nobody has talked in voice yet.' });
		const generic = await renderer.render({ layout: 'ranking', title: 'Top', items: [] });
		expect(custom.empty && generic.empty).toBe(true);
		expect(custom.png.equals(generic.png)).toBe(false);
	});

	it('a server overview with only top lists is still drawn (not "no data")', async () => {
		const spec = { ...serverOverview(), labels: [], series: [] };
		expect((await renderer.render({ layout: 'serverOverview', ...spec })).empty).toBe(false);
	});

	it('reduces long line series before drawing, and still draws 90 days of hourly data fast', async () => {
		const labels = Array.from({ length: 24 * 90 }, (_, i) => `h${i}`);
		const values = labels.map((_, i) => Math.round(100 + 80 * Math.sin(i / 12)));
		const result = await renderer.render({ layout: 'timeSeries', title: 'Hourly', labels, series: [{ label: 'Messages', values }] });
		writeFileSync(join(SAMPLES, 'hourly-90d.png'), result.png);
		const image = await decodePng(result.png);
		expect(countColour(image, discordDarkTheme.palette[0], 10)).toBeGreaterThan(1000);
		expect(result.drawMs).toBeLessThan(500);
	});

	it('formats bucket starts itself when given a time axis, with ticks on round local dates', async () => {
		const starts = dailyStarts(30);
		const withTime = { ...serverTimeSeries(), labels: undefined, time: { startsMs: starts, bucket: 'day' as const, timeZone: 'America/New_York' } };
		expect(timeSeriesLabels(withTime)).toEqual(formatBucketLabels(starts, 'day', 'America/New_York'));
		const config = renderer.chartConfig({ layout: 'timeSeries', ...withTime })!;
		expect(config.data.labels).toEqual(formatBucketLabels(starts, 'day', 'America/New_York'));
		const x = (config.options?.scales as Record<string, { afterBuildTicks?: (scale: { ticks: { value: number }[] }) => void; ticks: { callback?: (v: number) => string | null } }>).x;
		const scale = { ticks: [] as { value: number }[] };
		x.afterBuildTicks?.(scale);
		// 30 days on a full-width plot: every third day, at most ~11 ticks, labelled with their date.
		const values = scale.ticks.map((t) => t.value);
		expect(values).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28]);
		expect(values.map((v) => x.ticks.callback?.(v))).toEqual(values.map((v) => config.data.labels?.[v]));
		// Ready-made labels keep Chart.js's own skipping.
		expect((renderer.chartConfig({ layout: 'timeSeries', ...serverTimeSeries() })!.options?.scales as Record<string, { afterBuildTicks?: unknown }>).x.afterBuildTicks).toBeUndefined();

		const result = await renderer.render({ layout: 'timeSeries', ...withTime });
		writeFileSync(join(SAMPLES, 'time-axis.png'), result.png);
		expect(distinctColours(await decodePng(result.png))).toBeGreaterThan(150);
		expect(isEmptySpec({ layout: 'timeSeries', ...withTime, time: { ...withTime.time, startsMs: [] } })).toBe(true);
	});

	it('renders at a pixel ratio', async () => {
		const hd = new ChartRenderer({ pixelRatio: 2 });
		for (const spec of [{ layout: 'timeSeries', ...serverTimeSeries() }, { layout: 'heatmap', ...heatmap() }] as ChartSpec[]) {
			const result = await hd.render(spec);
			const image = await decodePng(result.png);
			expect([image.width, image.height]).toEqual([2400, 1350]);
		}
	});

	it('renders other sizes with the layout scaled', async () => {
		const small = new ChartRenderer({ width: 800, height: 450 });
		const result = await small.render({ layout: 'serverOverview', ...serverOverview() });
		writeFileSync(join(SAMPLES, 'overview-800.png'), result.png);
		expect([(await decodePng(result.png)).width, result.height]).toEqual([800, 450]);
	});

	it('registers the bundled font under its own family, and fails loudly when the files are missing', () => {
		expect(GlobalFonts.has(discordDarkTheme.fontFamily)).toBe(true);
		expect(() => new ChartRenderer({ theme: { ...discordDarkTheme, fontFamily: 'Nexus Missing' }, fontDir: '/nonexistent' })).toThrow(/could not register font/);
	});

	it('start() warms up without counting a render; stop() is harmless without workers', async () => {
		const fresh = new ChartRenderer();
		await fresh.start();
		expect(fresh.stats().renders).toBe(0);
		await fresh.stop();
		expect((await fresh.renderEmpty({ title: 'after stop' })).length).toBeGreaterThan(0);
	});

	it('counts renders and timings, and reports them to onRender', async () => {
		const seen: string[] = [];
		const counted = new ChartRenderer({ onRender: (timing) => seen.push(`${timing.layout}:${timing.empty}`) });
		await counted.renderHeatmap(heatmap());
		await counted.renderTimeSeries({ title: 'Nothing', labels: [], series: [] });
		const stats = counted.stats();
		expect(seen).toEqual(['heatmap:false', 'timeSeries:true']);
		expect(stats.renders).toBe(2);
		expect(stats.empty).toBe(1);
		expect(stats.drawMs.count).toBe(2);
		expect(stats.encodeMs.sum).toBeGreaterThan(0);
		expect(stats.mainThreadMs.max).toBeGreaterThanOrEqual(stats.mainThreadMs.last);
	});

	it('a render that throws is counted and leaves no Chart.js instance behind', async () => {
		const { Chart } = await import('chart.js');
		const before = Object.keys(Chart.instances).length;
		const bad = { layout: 'timeSeries', title: 'x', labels: ['a'], series: [{ label: 's', values: null }] } as unknown as ChartSpec;
		await expect(renderer.render(bad)).rejects.toThrow();
		expect(renderer.stats().errors).toBeGreaterThan(0);
		expect(Object.keys(Chart.instances).length).toBe(before);
	});
});
