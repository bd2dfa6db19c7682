/** Pure data in (structured-clonable, so it can go to a render worker): what each layout needs. */
import type { BucketSize } from './formatBucketLabels.js';

/** Change against the previous period of the same length, drawn in the tile's corner. */
export interface PeriodChange {
	/** "▲ 12 %", "▼ 3 %", "± 0 %", "new". */
	text: string;
	direction: 'up' | 'down' | 'flat' | 'new';
}

export interface SummaryItem {
	label: string;
	/** Numbers are formatted (12,345 / 1.2M); strings are shown as given ("1,234 min", "+12"). */
	value: number | string;
	/** Accent colour of the tile; defaults to the colour of the series with the same label. */
	color?: string;
	change?: PeriodChange;
}

interface SpecBase {
	title: string;
	/** Guild name, range, timezone: "My Guild · Last 30 days · Europe/Paris". */
	subtitle?: string;
	summary?: readonly SummaryItem[];
	/** Shown instead of the chart when there is nothing to plot. */
	emptyMessage?: string;
}

export interface TimeSeries {
	label: string;
	values: readonly number[];
	kind?: 'line' | 'bar';
	axis?: 'left' | 'right';
	/** Hex colour; defaults to the theme palette in order. */
	color?: string;
	/** Soft area under a line; defaults to true for the first line when it is the only line. */
	fill?: boolean;
}

/** Time buckets as stored: the renderer formats their labels (see formatBucketLabels). */
export interface TimeAxis {
	/** Bucket starts, epoch ms; day buckets start at local midnight of `timeZone`. */
	startsMs: readonly number[];
	bucket: BucketSize;
	/** IANA zone of the guild, e.g. "Europe/Paris". */
	timeZone: string;
}

export interface TimeSeriesSpec extends SpecBase {
	/** x labels, already formatted; or give `time` and let the renderer format them. */
	labels?: readonly string[];
	/** Bucket starts to label in the guild's timezone (formatted where the chart is drawn, e.g. a worker). */
	time?: TimeAxis;
	series: readonly TimeSeries[];
	/** Axis titles, e.g. { left: 'Messages', right: 'Voice minutes' }. */
	axisTitles?: { left?: string; right?: string };
}

export interface RankingItem {
	label: string;
	value: number;
	/** A second, muted line: "#general", "2,345 voice min". */
	sublabel?: string;
}

export interface RankingSpec extends SpecBase {
	items: readonly RankingItem[];
	/** Unit after the value on each bar: "messages", "min". */
	valueLabel?: string;
}

export interface HeatmapSpec extends SpecBase {
	/** Row names, e.g. weekdays. */
	rows: readonly string[];
	/** Column names, e.g. hours "00".."23". */
	columns: readonly string[];
	/** values[row][column] */
	values: readonly (readonly number[])[];
	/** Word for the scale legend: "messages". */
	valueLabel?: string;
}

export interface RankingPanel {
	title: string;
	items: readonly RankingItem[];
	valueLabel?: string;
}

export interface CompositeSpec extends TimeSeriesSpec {
	/** One to three small top-N panels beside the time series (top 5 is what fits well). */
	panels: readonly RankingPanel[];
}

export interface ServerOverviewSpec extends TimeSeriesSpec {
	topChannels: readonly RankingItem[];
	topMembers: readonly RankingItem[];
	/** Unit for both top lists; default "messages". */
	topValueLabel?: string;
}

export interface EmptySpec {
	title: string;
	subtitle?: string;
	message?: string;
}

/** Every layout as one tagged union, for callers that pick the layout at run time. */
export type ChartSpec =
	| ({ layout: 'timeSeries' } & TimeSeriesSpec)
	| ({ layout: 'ranking' } & RankingSpec)
	| ({ layout: 'heatmap' } & HeatmapSpec)
	| ({ layout: 'composite' } & CompositeSpec)
	| ({ layout: 'serverOverview' } & ServerOverviewSpec)
	| ({ layout: 'empty' } & EmptySpec);

export type ChartLayout = ChartSpec['layout'];
