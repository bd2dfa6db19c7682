import type { ChartConfiguration, ChartDataset, Plugin, ScriptableContext } from 'chart.js';
import type { TimeSeriesSpec } from './ChartSpecs.js';
import { withAlpha, type ChartTheme } from './ChartTheme.js';
import { lttb, type XYPoint } from './downsample.js';
import { formatCompact } from './formatNumber.js';
import type { Box } from './paintFrame.js';
import type { AxisTick } from './timeAxisTicks.js';

/** Lines with more points than this are drawn as straight segments. */
export const SMOOTH_MAX_POINTS = 120;

export interface TimeSeriesConfigOptions {
	/** Canvas size in CSS pixels; the plot is placed in `plot` through layout padding. */
	width: number;
	height: number;
	plot: Box;
	unit: number;
	theme: ChartTheme;
	pixelRatio: number;
	/** Line series longer than this are reduced with LTTB (bars are kept whole). */
	maxLinePoints: number;
	plugins?: Plugin[];
	/** Fixed x ticks (from timeAxisTicks); without them Chart.js skips labels that would collide. */
	ticks?: readonly AxisTick[];
}

/**
 * The Chart.js config for a time series, self-contained (fonts and colours set explicitly, not
 * through Chart.defaults) so the same config draws identically on any Chart.js instance, which
 * the benchmark relies on to draw "the same chart" with a peer library.
 * Data goes in pre-parsed ({x: labelIndex, y}, parsing: false, normalized) to skip Chart.js parsing.
 */
export function buildTimeSeriesConfig(spec: TimeSeriesSpec & { labels: readonly string[] }, options: TimeSeriesConfigOptions): ChartConfiguration {
	const { theme, unit: u, plot } = options;
	const points = spec.labels.length;
	const lineCount = spec.series.filter((s) => (s.kind ?? 'line') === 'line').length;
	const hasBars = spec.series.some((s) => s.kind === 'bar');
	const hasRight = spec.series.some((s) => s.axis === 'right');
	let firstLine = true;

	const datasets = spec.series.map((series, i) => {
		const color = series.color ?? theme.palette[i % theme.palette.length];
		const values = series.values.slice(0, points).map((v) => (Number.isFinite(v) ? v : 0));
		const yAxisID = series.axis === 'right' ? 'y1' : 'y';
		if (series.kind === 'bar') {
			return {
				type: 'bar',
				label: series.label,
				data: values.map((y, x) => ({ x, y })),
				yAxisID,
				order: 2,
				backgroundColor: withAlpha(color, 0.85),
				hoverBackgroundColor: color,
				borderRadius: Math.round(3 * u),
				borderSkipped: 'start',
				categoryPercentage: 0.8,
				barPercentage: 0.9,
				maxBarThickness: Math.round(28 * u)
			} as ChartDataset<'bar', XYPoint[]>;
		}
		// An area under a line would tint any bars behind it, so only a lone line gets one by default.
		const fill = series.fill ?? (firstLine && lineCount === 1 && !hasBars);
		firstLine = false;
		const data = values.length > options.maxLinePoints ? lttb(values, options.maxLinePoints) : values.map((y, x) => ({ x, y }));
		return {
			type: 'line',
			label: series.label,
			data,
			yAxisID,
			order: 1,
			borderColor: color,
			borderWidth: Math.max(1.5, 2.5 * u),
			pointRadius: points <= 45 ? Math.round(3 * u) : 0,
			pointBackgroundColor: color,
			pointBorderWidth: 0,
			// Curves read well on a few dozen points; on dense series they are invisible but cost
			// the rasteriser several times what straight segments do.
			cubicInterpolationMode: data.length <= SMOOTH_MAX_POINTS ? 'monotone' : 'default',
			tension: 0,
			fill: fill ? 'origin' : false,
			backgroundColor: fill ? (ctx: ScriptableContext<'line'>) => areaGradient(ctx, color) : withAlpha(color, 0.2)
		} as ChartDataset<'line', XYPoint[]>;
	});

	const tickFont = { family: theme.fontFamily, size: Math.round(12 * u) };
	const fixedTicks = options.ticks && options.ticks.length > 0 ? options.ticks : undefined;
	const fixedLabels = new Map(fixedTicks?.map((t) => [t.index, t.label]));
	const valueTicks = {
		color: theme.textMuted,
		font: tickFont,
		padding: Math.round(8 * u),
		maxTicksLimit: 6,
		callback: (value: number | string) => formatCompact(Number(value))
	};
	const axisTitle = (text: string | undefined) => ({
		display: Boolean(text),
		text: text ?? '',
		color: theme.textFaint,
		font: { family: theme.fontFamily, size: Math.round(12 * u) }
	});

	return {
		type: 'line',
		data: { labels: [...spec.labels], datasets: datasets as ChartDataset[] },
		options: {
			responsive: false,
			animation: false,
			devicePixelRatio: options.pixelRatio,
			parsing: false,
			normalized: true,
			events: [],
			layout: {
				padding: {
					left: plot.x,
					top: plot.y,
					right: options.width - plot.x - plot.width,
					bottom: options.height - plot.y - plot.height
				}
			},
			scales: {
				x: {
					type: 'category',
					offset: hasBars,
					grid: { display: false },
					border: { color: theme.surfaceMuted },
					// Fixed ticks replace Chart.js's own (every n-th label) with round local times.
					afterBuildTicks: fixedTicks ? (scale: { ticks: { value: number }[] }) => void (scale.ticks = fixedTicks.map((t) => ({ value: t.index }))) : undefined,
					ticks: {
						color: theme.textMuted,
						font: tickFont,
						maxRotation: 0,
						autoSkip: !fixedTicks,
						autoSkipPadding: Math.round(28 * u),
						maxTicksLimit: fixedTicks ? undefined : Math.max(2, Math.floor(plot.width / (120 * u))),
						sampleSize: 12,
						padding: Math.round(6 * u),
						...(fixedTicks ? { callback: (value: number | string) => fixedLabels.get(Number(value)) ?? null } : {})
					}
				},
				y: {
					position: 'left',
					beginAtZero: true,
					grid: { color: theme.grid },
					border: { display: false },
					ticks: valueTicks,
					title: axisTitle(spec.axisTitles?.left)
				},
				...(hasRight
					? {
							y1: {
								position: 'right' as const,
								beginAtZero: true,
								grid: { drawOnChartArea: false },
								border: { display: false },
								ticks: valueTicks,
								title: axisTitle(spec.axisTitles?.right)
							}
						}
					: {})
			},
			plugins: {
				legend: {
					display: true,
					position: 'top',
					align: 'start',
					labels: {
						color: theme.text,
						font: { family: theme.fontFamily, size: Math.round(13 * u) },
						usePointStyle: true,
						pointStyle: 'rectRounded',
						boxWidth: Math.round(10 * u),
						boxHeight: Math.round(10 * u),
						padding: Math.round(18 * u),
						// Caller's series order, not the draw order (lines are drawn over bars).
						sort: (a: { datasetIndex?: number }, b: { datasetIndex?: number }) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0)
					}
				},
				title: { display: false },
				tooltip: { enabled: false }
			}
		},
		plugins: options.plugins ?? []
	} as ChartConfiguration;
}

function areaGradient(ctx: ScriptableContext<'line'>, color: string) {
	const area = ctx.chart.chartArea;
	if (!area) return withAlpha(color, 0.15);
	const gradient = ctx.chart.ctx.createLinearGradient(0, area.top, 0, area.bottom);
	gradient.addColorStop(0, withAlpha(color, 0.32));
	gradient.addColorStop(1, withAlpha(color, 0.02));
	return gradient;
}
