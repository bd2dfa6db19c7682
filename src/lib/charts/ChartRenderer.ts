import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import type { Chart, ChartConfiguration, Plugin } from 'chart.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type {
	ChartLayout,
	ChartSpec,
	CompositeSpec,
	EmptySpec,
	HeatmapSpec,
	RankingPanel,
	RankingSpec,
	ServerOverviewSpec,
	TimeSeriesSpec
} from './ChartSpecs.js';
import { discordDarkTheme, type ChartTheme } from './ChartTheme.js';
import { formatBucketLabels, labelsFromParts } from './formatBucketLabels.js';
import { DEFAULT_EMPTY_MESSAGE, paintEmptyState } from './paintEmptyState.js';
import { layoutFrame, paintFrame, type Box, type Frame } from './paintFrame.js';
import { paintHeatmap } from './paintHeatmap.js';
import { paintRanking, paintRankingPanel } from './paintRanking.js';
import { RenderWorkerPool } from './RenderWorkerPool.js';
import { timeAxisTicks } from './timeAxisTicks.js';
import { buildTimeSeriesConfig } from './timeSeriesChartConfig.js';
import { zonedParts } from './zonedTime.js';

export interface ChartRendererOptions {
	/** Image size in CSS pixels; default 1200x675 (16:9, sharp in Discord's ~550 px preview). */
	width?: number;
	height?: number;
	/** Pixel density multiplier; default 1. */
	pixelRatio?: number;
	theme?: ChartTheme;
	/** Folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf; default: the dejavu-fonts-ttf package. */
	fontDir?: string;
	/** Line series longer than this are reduced (LTTB) before drawing; default a third of the plot width in px. */
	maxLinePoints?: number;
	/** Called after every render, e.g. to feed a metrics histogram. */
	onRender?: (timing: RenderTiming) => void;
	/**
	 * Worker threads to draw in. 0 (default): draw in the calling thread, where Chart.js layout
	 * and Skia rasterisation block the event loop for the draw time. >= 1: draw in that many
	 * workers; the event loop only clones the spec in and the PNG out (call start()/stop()).
	 */
	workers?: number;
	/** With workers: a render not answered within this is abandoned and its worker replaced (default 20 s). */
	renderTimeoutMs?: number;
	/** With workers: a worker that has rendered nothing for this long exits (next render starts one). Default 10 min. */
	workerIdleExitMs?: number;
}

/** Chart.js and Skia: loaded on the first draw in this thread, so a main thread that only hands renders to workers never loads them. */
interface DrawingLibs {
	canvas: typeof import('@napi-rs/canvas');
	Chart: typeof Chart;
}

export interface RenderTiming {
	layout: ChartLayout;
	/** True when the "no data yet" image was drawn instead of the requested layout. */
	empty: boolean;
	/** Synchronous drawing (Chart.js + our painters), in the drawing thread. */
	drawMs: number;
	/** Wall time of the async PNG encode (compression runs on the libuv pool). */
	encodeMs: number;
	/**
	 * What this render held the caller's event loop for. Drawing in this thread: draw + the encode
	 * call (@napi-rs/canvas rasterises its recorded drawing there, synchronously) + chart teardown.
	 * With workers: cloning the spec in and the PNG out.
	 */
	mainThreadMs: number;
	bytes: number;
}

export interface RenderResult extends RenderTiming {
	png: Buffer;
	width: number;
	height: number;
}

export interface TimingStat {
	count: number;
	sum: number;
	last: number;
	max: number;
}

export interface RendererStats {
	renders: number;
	empty: number;
	errors: number;
	drawMs: TimingStat;
	encodeMs: TimingStat;
	mainThreadMs: TimingStat;
}

const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

/** A throw-away chart drawn to warm up a drawing thread's JIT. */
const WARM_UP: ChartSpec = {
	layout: 'serverOverview',
	title: 'warm-up',
	labels: ['a', 'b', 'c'],
	series: [{ label: 'a', values: [1, 3, 2] }, { label: 'b', values: [2, 1, 3], kind: 'bar', axis: 'right' }],
	topChannels: [{ label: 'c', value: 1 }],
	topMembers: [{ label: 'm', value: 1 }],
	summary: [{ label: 's', value: 1 }]
};

/**
 * Turns report data into PNG images. Constructed once at boot (container.charts): registers the
 * bundled font and the Chart.js pieces it uses. No Discord, no database: data in, PNG out.
 *
 * Where the time goes: Chart.js lays out and draws synchronously, and @napi-rs/canvas records
 * the drawing and rasterises it synchronously inside the `encode()` call; only the PNG
 * compression then runs off the thread. Both synchronous parts are kept short (pre-parsed,
 * decimated data, straight segments on dense lines, simple parts painted directly). With
 * `workers` >= 1 all of it runs in worker threads and the event loop only passes messages.
 */
export class ChartRenderer {
	public readonly name = 'charts';
	public readonly width: number;
	public readonly height: number;
	public readonly pixelRatio: number;
	public readonly theme: ChartTheme;
	private readonly maxLinePoints: number | undefined;
	private readonly onRender: ((timing: RenderTiming) => void) | undefined;
	private readonly pool: RenderWorkerPool | undefined;
	private readonly fontDir: string;
	private drawing: Promise<DrawingLibs> | undefined;
	private libs: DrawingLibs | undefined;
	private readonly counters: RendererStats = {
		renders: 0,
		empty: 0,
		errors: 0,
		drawMs: emptyStat(),
		encodeMs: emptyStat(),
		mainThreadMs: emptyStat()
	};

	public constructor(options: ChartRendererOptions = {}) {
		this.width = options.width ?? 1200;
		this.height = options.height ?? 675;
		this.pixelRatio = options.pixelRatio ?? 1;
		this.theme = options.theme ?? discordDarkTheme;
		this.maxLinePoints = options.maxLinePoints;
		this.onRender = options.onRender;
		if ((options.workers ?? 0) > 0) {
			const { onRender: _onRender, workers, renderTimeoutMs, workerIdleExitMs, ...workerOptions } = options;
			this.pool = new RenderWorkerPool(workers ?? 1, workerOptions, { renderTimeoutMs, idleExitMs: workerIdleExitMs });
		}
		this.fontDir = options.fontDir ?? defaultFontDir();
		// A missing font is a setup error: say so now, not at the first render.
		for (const file of FONT_FILES) if (!existsSync(join(this.fontDir, file))) throw new Error(`ChartRenderer: could not register font ${join(this.fontDir, file)}`);
	}

	/** Loads Chart.js and the canvas and registers the fonts, once, before the first draw in this thread. */
	private loadDrawing(): Promise<DrawingLibs> {
		this.drawing ??= Promise.all([import('@napi-rs/canvas'), import('chart.js')]).then(([canvas, chart]) => {
			registerFonts(canvas.GlobalFonts, this.theme.fontFamily, this.fontDir);
			const { Chart } = chart;
			// Chart.js keeps one global registry: registering again is a no-op, so this is idempotent.
			Chart.register(chart.LineController, chart.BarController, chart.LineElement, chart.BarElement, chart.PointElement, chart.CategoryScale, chart.LinearScale, chart.Legend, chart.Filler);
			Chart.defaults.font.family = this.theme.fontFamily;
			Chart.defaults.color = this.theme.textMuted;
			Chart.defaults.borderColor = this.theme.grid;
			this.libs = { canvas, Chart };
			return this.libs;
		});
		return this.drawing;
	}

	/** Server, member, channel, voice and growth overviews: lines and/or bars over time. */
	public async renderTimeSeries(spec: TimeSeriesSpec): Promise<Buffer> {
		return (await this.render({ layout: 'timeSeries', ...spec })).png;
	}

	/** The `top` leaderboard. */
	public async renderRanking(spec: RankingSpec): Promise<Buffer> {
		return (await this.render({ layout: 'ranking', ...spec })).png;
	}

	/** Hour-of-day x weekday activity. */
	public async renderHeatmap(spec: HeatmapSpec): Promise<Buffer> {
		return (await this.render({ layout: 'heatmap', ...spec })).png;
	}

	/** A time series with one to three top-5 panels beside it. */
	public async renderComposite(spec: CompositeSpec): Promise<Buffer> {
		return (await this.render({ layout: 'composite', ...spec })).png;
	}

	/** `/guildstats server`: activity over time, top channels and top members. */
	public async renderServerOverview(spec: ServerOverviewSpec): Promise<Buffer> {
		return (await this.render({ layout: 'serverOverview', ...spec })).png;
	}

	/** The "No data yet" image. */
	public async renderEmpty(spec: EmptySpec): Promise<Buffer> {
		return (await this.render({ layout: 'empty', ...spec })).png;
	}

	/**
	 * Service start. Drawing in this thread: draws one throw-away chart, so the first user's render
	 * does not pay for JIT warm-up (a first render takes several times a warm one). With workers:
	 * nothing; a worker starts on the first render and exits after an idle period, so a bot nobody
	 * asks for charts does not carry Chart.js, Skia and a second V8 heap.
	 */
	public async start(): Promise<void> {
		if (this.pool) return;
		// Straight to the drawing path: a warm-up is not a render worth counting.
		await this.renderHere(WARM_UP);
	}

	/** Spawns the workers now and draws one throw-away chart in each (benchmarks; not needed for correctness). */
	public async warmUpWorkers(): Promise<void> {
		if (!this.pool) return;
		await this.pool.start();
		await this.pool.render(WARM_UP);
	}

	/** Service stop: ends the workers (renders still in flight fail). */
	public async stop(): Promise<void> {
		await this.pool?.close();
	}

	/** Any layout, with its timings. Layouts with nothing to plot come back as the empty image. */
	public async render(spec: ChartSpec): Promise<RenderResult> {
		try {
			const result = await (this.pool ? this.pool.render(spec) : this.renderHere(spec));
			this.record(result);
			return result;
		} catch (error) {
			this.counters.errors++;
			throw error;
		}
	}

	/** Draws in this thread. */
	private async renderHere(spec: ChartSpec): Promise<RenderResult> {
		const { canvas: canvasLib, Chart } = this.libs ?? (await this.loadDrawing());
		const start = performance.now();
		const canvas = canvasLib.createCanvas(this.width, this.height);
		let chart: Chart | undefined;
		try {
			const resolved = isEmptySpec(spec) && spec.layout !== 'empty' ? toEmpty(spec) : spec;
			chart = this.paint(resolved, canvas);
			const drawn = performance.now();
			const encoding = canvas.encode('png');
			const encodeCalled = performance.now();
			const png = await encoding;
			const encoded = performance.now();
			// Destroy only now: Chart.js clears the canvas on destroy, and the encoder reads the
			// canvas while it runs (it does not take a copy).
			chart?.destroy();
			chart = undefined;
			const torn = performance.now();

			return {
				layout: spec.layout,
				empty: resolved.layout === 'empty',
				drawMs: drawn - start,
				encodeMs: encoded - encodeCalled,
				mainThreadMs: encodeCalled - start + (torn - encoded),
				bytes: png.length,
				png,
				width: canvas.width,
				height: canvas.height
			};
		} finally {
			chart?.destroy();
			// A Chart.js constructor that threw has still registered its instance globally.
			if (!chart) Chart.getChart(canvas as unknown as Parameters<typeof Chart.getChart>[0])?.destroy();
		}
	}

	public stats(): RendererStats {
		const c = this.counters;
		return { ...c, drawMs: { ...c.drawMs }, encodeMs: { ...c.encodeMs }, mainThreadMs: { ...c.mainThreadMs } };
	}

	private paint(spec: ChartSpec, canvas: Canvas): Chart | undefined {
		switch (spec.layout) {
			case 'timeSeries':
			case 'composite':
			case 'serverOverview': {
				const config = this.chartConfig(spec);
				if (!config) throw new Error(`ChartRenderer: no chart config for ${spec.layout}`);
				return new this.libs!.Chart(canvas.getContext('2d') as unknown as ConstructorParameters<typeof Chart>[0], config);
			}
			case 'ranking': {
				const { ctx, frame } = this.paintOwnFrame(canvas, spec);
				paintRanking(ctx, frame.content, spec.items, spec.valueLabel, frame.unit, this.theme);
				return undefined;
			}
			case 'heatmap': {
				const { ctx, frame } = this.paintOwnFrame(canvas, spec);
				paintHeatmap(ctx, frame.content, spec.rows, spec.columns, spec.values, spec.valueLabel, frame.unit, this.theme);
				return undefined;
			}
			case 'empty': {
				const { ctx, frame } = this.paintOwnFrame(canvas, spec);
				paintEmptyState(ctx, frame.content, spec.message ?? DEFAULT_EMPTY_MESSAGE, frame.unit, this.theme);
				return undefined;
			}
		}
	}

	/** Layouts drawn without Chart.js: size the canvas for the pixel ratio ourselves. */
	private paintOwnFrame(canvas: Canvas, spec: { title: string; subtitle?: string; summary?: TimeSeriesSpec['summary'] }) {
		canvas.width = Math.round(this.width * this.pixelRatio);
		canvas.height = Math.round(this.height * this.pixelRatio);
		const ctx = canvas.getContext('2d');
		ctx.scale(this.pixelRatio, this.pixelRatio);
		const frame = layoutFrame(this.width, this.height, spec);
		paintFrame(ctx, frame, spec, this.theme);
		return { ctx, frame };
	}

	/**
	 * The Chart.js configuration this renderer draws for a time-series layout (frame and panels
	 * included, as a plugin), or undefined for layouts drawn without Chart.js. Self-contained, so
	 * it also draws on another Chart.js instance and canvas backend (the benchmark's peer).
	 */
	public chartConfig(spec: ChartSpec, overrides: { maxLinePoints?: number } = {}): ChartConfiguration | undefined {
		switch (spec.layout) {
			case 'timeSeries':
				return this.timeSeriesConfig(spec, null, overrides);
			case 'composite':
				return this.timeSeriesConfig(spec, spec.panels, overrides);
			case 'serverOverview': {
				const unit = spec.topValueLabel ?? 'messages';
				const panels = [
					{ title: 'Top channels', items: spec.topChannels, valueLabel: unit },
					{ title: 'Top members', items: spec.topMembers, valueLabel: unit }
				];
				return this.timeSeriesConfig(spec, panels, overrides);
			}
			default:
				return undefined;
		}
	}

	private timeSeriesConfig(spec: TimeSeriesSpec, panels: readonly RankingPanel[] | null, overrides: { maxLinePoints?: number }): ChartConfiguration {
		const frame = layoutFrame(this.width, this.height, spec);
		const { plot, panelBoxes } = splitContent(frame, panels?.length ?? 0);
		const theme = this.theme;
		// Chart.js clears the canvas at the start of every draw, so the frame and panels are painted
		// from its beforeDraw hook, under the plot, in the space its layout padding leaves free.
		const framePlugin: Plugin = {
			id: 'nexusFrame',
			beforeDraw: (chart) => {
				const ctx = chart.ctx as unknown as SKRSContext2D;
				paintFrame(ctx, frame, spec, theme);
				panels?.forEach((panel, i) =>
					paintRankingPanel(ctx, panelBoxes[i], panel.title, panel.items, panel.valueLabel, frame.unit, theme, theme.palette[(i + 1) % theme.palette.length])
				);
			}
		};
		// With bucket starts, ticks go on round local times; with ready labels, Chart.js skips some.
		const zoned = !spec.labels && spec.time ? zonedParts(spec.time.startsMs, spec.time.timeZone) : undefined;
		const ticks = zoned && spec.time ? timeAxisTicks(zoned, spec.time.bucket, Math.floor(plot.width / (100 * frame.unit))) : undefined;
		const labels = zoned && spec.time ? labelsFromParts(zoned, spec.time.startsMs, spec.time.bucket, spec.time.timeZone) : timeSeriesLabels(spec);
		return buildTimeSeriesConfig({ ...spec, labels }, {
			ticks,
			width: this.width,
			height: this.height,
			plot,
			unit: frame.unit,
			theme,
			pixelRatio: this.pixelRatio,
			// A point per ~3 px: denser lines look the same but cost the rasteriser (main thread) far more.
			maxLinePoints: overrides.maxLinePoints ?? this.maxLinePoints ?? Math.max(60, Math.round(plot.width / 3)),
			plugins: [framePlugin]
		});
	}

	private record(result: RenderTiming): void {
		// Only the timing fields: a RenderResult also carries the PNG, which onRender must not keep.
		const { layout, empty, drawMs, encodeMs, mainThreadMs, bytes } = result;
		const timing: RenderTiming = { layout, empty, drawMs, encodeMs, mainThreadMs, bytes };
		const c = this.counters;
		c.renders++;
		if (timing.empty) c.empty++;
		addStat(c.drawMs, timing.drawMs);
		addStat(c.encodeMs, timing.encodeMs);
		addStat(c.mainThreadMs, timing.mainThreadMs);
		this.onRender?.(timing);
	}
}

/** The plot box, and the panel column on the right when there are panels. */
export function splitContent(frame: Frame, panelCount: number): { plot: Box; panelBoxes: Box[] } {
	const { content, unit: u } = frame;
	if (panelCount === 0) return { plot: content, panelBoxes: [] };
	const gap = Math.round(20 * u);
	const columnWidth = Math.round(content.width * 0.3);
	const columnX = content.x + content.width - columnWidth;
	const panelGap = Math.round(12 * u);
	const panelHeight = (content.height - panelGap * (panelCount - 1)) / panelCount;
	const panelBoxes = Array.from({ length: panelCount }, (_, i) => ({
		x: columnX,
		y: content.y + i * (panelHeight + panelGap),
		width: columnWidth,
		height: panelHeight
	}));
	return { plot: { ...content, width: content.width - columnWidth - gap }, panelBoxes };
}

/** True when a spec has nothing worth plotting (no buckets, or only zeros). */
export function isEmptySpec(spec: ChartSpec): boolean {
	const hasValue = (values: readonly number[]) => values.some((v) => Number.isFinite(v) && v !== 0);
	switch (spec.layout) {
		case 'timeSeries':
			return bucketCount(spec) === 0 || !spec.series.some((s) => hasValue(s.values));
		case 'composite':
		case 'serverOverview': {
			const seriesEmpty = bucketCount(spec) === 0 || !spec.series.some((s) => hasValue(s.values));
			const panelItems = spec.layout === 'composite' ? spec.panels.flatMap((p) => p.items) : [...spec.topChannels, ...spec.topMembers];
			return seriesEmpty && !hasValue(panelItems.map((item) => item.value));
		}
		case 'ranking':
			return !hasValue(spec.items.map((item) => item.value));
		case 'heatmap':
			return !spec.values.some((row) => hasValue(row));
		case 'empty':
			return true;
	}
}

function bucketCount(spec: TimeSeriesSpec): number {
	return spec.labels?.length ?? spec.time?.startsMs.length ?? 0;
}

/** The x labels: given, or formatted from the bucket starts in the guild's timezone. */
export function timeSeriesLabels(spec: TimeSeriesSpec): readonly string[] {
	if (spec.labels) return spec.labels;
	if (!spec.time) return [];
	return formatBucketLabels(spec.time.startsMs, spec.time.bucket, spec.time.timeZone);
}

function toEmpty(spec: Exclude<ChartSpec, { layout: 'empty' }>): ChartSpec {
	return { layout: 'empty', title: spec.title, subtitle: spec.subtitle, message: spec.emptyMessage };
}

function defaultFontDir(): string {
	// Resolved through the package so it works from src/ (tsx, vitest) and dist/ alike.
	return join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

function registerFonts(GlobalFonts: DrawingLibs['canvas']['GlobalFonts'], family: string, dir: string): void {
	if (GlobalFonts.has(family)) return;
	for (const file of FONT_FILES) {
		if (!GlobalFonts.registerFromPath(join(dir, file), family)) throw new Error(`ChartRenderer: could not register font ${join(dir, file)}`);
	}
}

function emptyStat(): TimingStat {
	return { count: 0, sum: 0, last: 0, max: 0 };
}

function addStat(stat: TimingStat, ms: number): void {
	stat.count++;
	stat.sum += ms;
	stat.last = ms;
	if (ms > stat.max) stat.max = ms;
}
