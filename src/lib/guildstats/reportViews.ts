import type { ChartSpec, RankingItem, RankingPanel, SummaryItem, TimeAxis } from '#lib/charts/ChartSpecs.js';
import { discordDarkTheme } from '#lib/charts/ChartTheme.js';
import { formatBucketLabels } from '#lib/charts/formatBucketLabels.js';
import { formatNumber } from '#lib/charts/formatNumber.js';
import { HEATMAP_HOURS, HEATMAP_WEEKDAYS } from '#lib/charts/heatmapAxes.js';
import type { ChannelStats, GrowthReport, Heatmap, MemberStats, OverviewTotals, ServerReport, TopEntry, TopMetric, TopTarget, VoiceStats } from '#lib/stats/statsTypes.js';
import { withChange } from './periodChange.js';
import type { ResolvedReportOptions } from './reportOptions.js';
import { voiceMinutes } from '#lib/stats/voiceMinutes.js';

/*
 * Store results -> what a report shows: the chart spec for the image, and the same numbers for the
 * embed (summary) and the text-only variant (lists, highlights). Pure: names come in resolved.
 */

export type ReportName = 'server' | 'member' | 'channel' | 'top' | 'activity' | 'voice' | 'growth';

export interface ReportList {
	title: string;
	lines: string[];
}

export interface ReportView {
	report: ReportName;
	title: string;
	subtitle: string;
	/** The numbers of the summary strip; the embed shows the same ones. */
	summary: SummaryItem[];
	spec: ChartSpec;
	/** Top lists for the text-only variant. */
	lists: ReportList[];
	/** One-line facts for the text-only variant ("Busiest day: ..."). */
	highlights: string[];
	/** Shown under the subtitle in the embed, e.g. "Statistics are disabled in this server". */
	note?: string;
}

export interface ViewContext {
	guildName: string;
	resolved: ResolvedReportOptions;
	/** Labels for ids, already resolved (see NameSource). */
	channelLabel(id: string): string;
	memberLabel(id: string): string;
	memberCount?: number;
	note?: string;
}

const PALETTE = discordDarkTheme.palette;
const COLORS = {
	messages: PALETTE[0],
	active: PALETTE[1],
	voice: PALETTE[2],
	reactions: PALETTE[3],
	joins: discordDarkTheme.positive,
	leaves: discordDarkTheme.negative,
	streaming: PALETTE[4],
	muted: PALETTE[5]
};
/** Top-N shown beside a chart; the text variant lists a few more. */
const PANEL_ITEMS = 5;
const LIST_ITEMS = 10;

/** Voice seconds in minutes: the stats layer's one rounding (one decimal), for tiles, panels and lists alike. */
export const minutes = voiceMinutes;

function subtitle(ctx: ViewContext, withMembers = true): string {
	const { rangeLabel, membersLabel, options } = ctx.resolved;
	return [ctx.guildName, rangeLabel, options.timezone, ...(withMembers ? [membersLabel] : [])].join(' · ');
}

function timeAxis(ctx: ViewContext, starts: readonly number[]): TimeAxis {
	return { startsMs: starts, bucket: ctx.resolved.options.bucket, timeZone: ctx.resolved.options.timezone };
}

/** "1 message", "2 messages", "1 voice min". */
const counted = (value: number, unit: string) => `${formatNumber(value)} ${value === 1 && unit.endsWith('s') ? unit.slice(0, -1) : unit}`;

function rankLines(items: readonly { label: string; value: number; sublabel?: string }[], unit: string): string[] {
	return items.map((item, i) => `${i + 1}. ${item.label} — ${counted(item.value, unit)}${item.sublabel ? ` (${item.sublabel})` : ''}`);
}

/** "Busiest hour: Mar 10, 14:00 (123 messages)" for the bucket with the highest value. */
function peakLine(ctx: ViewContext, what: string, starts: readonly number[], values: readonly number[], unit: string): string | null {
	let best = -1;
	for (let i = 0; i < values.length; i++) if (values[i] > 0 && (best < 0 || values[i] > values[best])) best = i;
	if (best < 0) return null;
	const { bucket, timezone } = ctx.resolved.options;
	const label = formatBucketLabels([starts[best]], bucket, timezone)[0];
	return `Busiest ${bucket === 'hour' ? 'hour' : 'day'} for ${what}: ${label} (${counted(values[best], unit)})`;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** The five busiest buckets as a ranking panel ("Busiest days"), labelled in the guild's timezone. */
function busiestPanel(ctx: ViewContext, starts: readonly number[], values: readonly number[], unit: string): RankingPanel {
	const { bucket, timezone } = ctx.resolved.options;
	const best = values
		.map((value, index) => ({ value, index }))
		.filter((entry) => entry.value > 0)
		.sort((a, b) => b.value - a.value || a.index - b.index)
		.slice(0, PANEL_ITEMS);
	const labels = formatBucketLabels(best.map((entry) => starts[entry.index]), bucket, timezone);
	return { title: bucket === 'hour' ? 'Busiest hours' : 'Busiest days', items: best.map((entry, i) => ({ label: labels[i], value: entry.value })), valueLabel: unit };
}
const signed = (n: number) => `${n > 0 ? '+' : ''}${formatNumber(n)}`;

export function serverView(data: ServerReport, ctx: ViewContext): ReportView {
	const starts = data.series.map((point) => point.start);
	const messages = data.series.map((point) => point.messages);
	const active = data.series.map((point) => point.activeMembers);
	const voice = data.series.map((point) => point.voiceMinutes);
	const o = data.overview;
	const p = o.previous;
	const topChannels: RankingItem[] = data.topChannels.map((entry) => ({
		label: ctx.channelLabel(entry.id),
		value: entry.messages,
		...(entry.voiceSeconds > 0 ? { sublabel: `${formatNumber(minutes(entry.voiceSeconds))} voice min` } : {})
	}));
	const topMembers: RankingItem[] = data.topMembers.map((entry) => ({ label: ctx.memberLabel(entry.id), value: entry.messages }));
	const summary: SummaryItem[] = [
		{ label: 'Messages', value: o.messages, color: COLORS.messages, ...withChange(o.messages, p?.messages) },
		{ label: 'Active members', value: o.activeMembers, color: COLORS.active, ...withChange(o.activeMembers, p?.activeMembers) },
		{ label: 'Voice minutes', value: o.voiceMinutes, color: COLORS.voice, ...withChange(o.voiceMinutes, p?.voiceMinutes) },
		{ label: 'Reactions', value: o.reactions, color: COLORS.reactions, ...withChange(o.reactions, p?.reactions) },
		// Joins and leaves are not kept per member: a role-filtered report has none to show.
		...(ctx.resolved.options.userIds
			? []
			: [
					{ label: 'Joins', value: o.joins, color: COLORS.joins, ...withChange(o.joins, p?.joins) },
					{ label: 'Leaves', value: o.leaves, color: COLORS.leaves, ...withChange(o.leaves, p?.leaves) }
				])
	];
	const title = 'Server activity';
	return {
		report: 'server',
		title,
		subtitle: subtitle(ctx),
		summary,
		spec: {
			layout: 'serverOverview',
			title,
			subtitle: subtitle(ctx),
			summary,
			time: timeAxis(ctx, starts),
			series: [
				{ label: 'Messages', values: messages, color: COLORS.messages },
				{ label: 'Active members', values: active, color: COLORS.active },
				{ label: 'Voice minutes', values: voice, kind: 'bar', axis: 'right', color: COLORS.voice }
			],
			axisTitles: { left: 'Messages · members', right: 'Voice minutes' },
			topChannels: topChannels.slice(0, PANEL_ITEMS),
			topMembers: topMembers.slice(0, PANEL_ITEMS),
			topValueLabel: 'messages',
			emptyMessage: 'No activity in this range yet.'
		},
		lists: [
			{ title: 'Top channels', lines: rankLines(topChannels.slice(0, LIST_ITEMS), 'messages') },
			{ title: 'Top members', lines: rankLines(topMembers.slice(0, LIST_ITEMS), 'messages') }
		],
		highlights: [peakLine(ctx, 'messages', starts, messages, 'messages'), o.net !== 0 ? `Net growth: ${signed(o.net)} ${plural(Math.abs(o.net), 'member', 'members')}` : null].filter(
			(line): line is string => line !== null
		),
		note: ctx.note
	};
}

export interface MemberViewTarget {
	id: string;
	name: string;
	inGuild: boolean;
}

export function memberView(data: MemberStats, target: MemberViewTarget, ctx: ViewContext): ReportView {
	const starts = data.series.map((point) => point.start);
	const messages = data.series.map((point) => point.messages);
	const reactions = data.series.map((point) => point.reactionsGiven);
	const voice = data.series.map((point) => point.voiceMinutes);
	const t = data.totals;
	const p = data.previousTotals;
	const summary: SummaryItem[] = [
		{ label: 'Messages', value: t.messages, color: COLORS.messages, ...withChange(t.messages, p?.messages) },
		{ label: 'Voice minutes', value: minutes(t.voiceSeconds), color: COLORS.voice, ...withChange(minutes(t.voiceSeconds), p ? minutes(p.voiceSeconds) : p) },
		{ label: 'Reactions given', value: t.reactionsGiven, color: COLORS.reactions, ...withChange(t.reactionsGiven, p?.reactionsGiven) },
		{ label: 'Reactions received', value: t.reactionsReceived, color: COLORS.active, ...withChange(t.reactionsReceived, p?.reactionsReceived) }
	];
	const textChannels: RankingItem[] = data.topChannels
		.filter((entry) => entry.messages > 0)
		.sort((a, b) => b.messages - a.messages)
		.map((entry) => ({ label: ctx.channelLabel(entry.channelId), value: entry.messages }));
	const voiceChannels: RankingItem[] = data.topChannels
		.filter((entry) => entry.voiceSeconds > 0)
		.sort((a, b) => b.voiceSeconds - a.voiceSeconds)
		.map((entry) => ({ label: ctx.channelLabel(entry.channelId), value: minutes(entry.voiceSeconds) }));
	const panels = [
		{ title: 'Top channels', items: textChannels.slice(0, PANEL_ITEMS), valueLabel: 'messages' },
		voiceChannels.length > 0 ? { title: 'Voice channels', items: voiceChannels.slice(0, PANEL_ITEMS), valueLabel: 'min' } : busiestPanel(ctx, starts, messages, 'messages')
	];
	const title = `${target.name} — member activity`;
	const note = [target.inGuild ? null : 'No longer a member of this server.', ctx.note].filter(Boolean).join(' ') || undefined;
	return {
		report: 'member',
		title,
		subtitle: subtitle(ctx, false),
		summary,
		spec: {
			layout: 'composite',
			title,
			subtitle: subtitle(ctx, false),
			summary,
			time: timeAxis(ctx, starts),
			series: [
				{ label: 'Messages', values: messages, color: COLORS.messages },
				{ label: 'Reactions given', values: reactions, color: COLORS.reactions },
				{ label: 'Voice minutes', values: voice, kind: 'bar', axis: 'right', color: COLORS.voice }
			],
			axisTitles: { left: 'Messages · reactions', right: 'Voice minutes' },
			panels,
			emptyMessage: `No activity from ${target.name} in this range.`
		},
		lists: [
			{ title: 'Top channels', lines: rankLines(textChannels.slice(0, LIST_ITEMS), 'messages') },
			{ title: 'Voice channels', lines: rankLines(voiceChannels.slice(0, LIST_ITEMS), 'min') }
		],
		highlights: [peakLine(ctx, 'messages', starts, messages, 'messages')].filter((line): line is string => line !== null),
		note
	};
}

export interface ChannelViewTarget {
	id: string;
	label: string;
	voice: boolean;
}

export function channelView(data: ChannelStats, target: ChannelViewTarget, ctx: ViewContext): ReportView {
	const starts = data.series.map((point) => point.start);
	const messages = data.series.map((point) => point.messages);
	const voice = data.series.map((point) => point.voiceMinutes);
	const t = data.totals;
	// A voice channel's report is about voice; a text channel's about messages (voice only if any).
	const showVoice = target.voice || t.voiceSeconds > 0;
	const showMessages = !target.voice || t.messages > 0;
	const p = data.previousTotals;
	const summary: SummaryItem[] = [
		...(showMessages ? [{ label: 'Messages', value: t.messages, color: COLORS.messages, ...withChange(t.messages, p?.messages) }] : []),
		{ label: 'Active members', value: t.activeMembers, color: COLORS.active, ...withChange(t.activeMembers, p?.activeMembers) },
		...(showVoice ? [{ label: 'Voice minutes', value: minutes(t.voiceSeconds), color: COLORS.voice, ...withChange(minutes(t.voiceSeconds), p ? minutes(p.voiceSeconds) : p) }] : []),
		// Reactions are recorded per parent channel, never per thread: a thread's tile would always read 0.
		...(data.thread ? [] : [{ label: 'Reactions', value: t.reactions, color: COLORS.reactions, ...withChange(t.reactions, p?.reactions) }])
	];
	const series = [
		...(showMessages ? [{ label: 'Messages', values: messages, color: COLORS.messages }] : []),
		...(showVoice ? [{ label: 'Voice minutes', values: voice, kind: 'bar' as const, axis: showMessages ? ('right' as const) : ('left' as const), color: COLORS.voice }] : [])
	];
	const topMembers: RankingItem[] = data.topMembers.map((entry) =>
		target.voice && entry.messages === 0
			? { label: ctx.memberLabel(entry.userId), value: minutes(entry.voiceSeconds) }
			: { label: ctx.memberLabel(entry.userId), value: entry.messages, ...(entry.voiceSeconds > 0 ? { sublabel: `${formatNumber(minutes(entry.voiceSeconds))} voice min` } : {}) }
	);
	const unit = target.voice && t.messages === 0 ? 'min' : 'messages';
	const title = `${target.label} — channel activity`;
	return {
		report: 'channel',
		title,
		subtitle: subtitle(ctx),
		summary,
		spec: {
			layout: 'composite',
			title,
			subtitle: subtitle(ctx),
			summary,
			time: timeAxis(ctx, starts),
			series,
			axisTitles: showMessages ? { left: 'Messages', ...(showVoice ? { right: 'Voice minutes' } : {}) } : { left: 'Voice minutes' },
			panels: [
				{ title: 'Top members', items: topMembers.slice(0, PANEL_ITEMS), valueLabel: unit },
				showMessages ? busiestPanel(ctx, starts, messages, 'messages') : busiestPanel(ctx, starts, voice, 'min')
			],
			emptyMessage: `No activity in ${target.label} in this range.`
		},
		lists: [{ title: 'Top members', lines: rankLines(topMembers.slice(0, LIST_ITEMS), unit) }],
		highlights: [
			showMessages ? peakLine(ctx, 'messages', starts, messages, 'messages') : peakLine(ctx, 'voice', starts, voice, 'voice min'),
			data.thread ? 'This is a thread: figures of this thread only (its parent channel includes them). Reactions in threads are counted under the parent channel.' : null
		].filter((line): line is string => line !== null),
		note: ctx.note
	};
}

const METRIC_UNITS: Record<TopMetric, string> = { messages: 'messages', voice: 'voice min', reactions: 'reactions' };
const METRIC_NAMES: Record<TopMetric, string> = { messages: 'messages', voice: 'voice time', reactions: 'reactions' };

/** The ranked value in display units (voice in minutes). */
export function topValue(entry: TopEntry, by: TopMetric): number {
	return by === 'voice' ? minutes(entry.voiceSeconds) : by === 'messages' ? entry.messages : entry.reactions;
}

export function overviewValue(overview: Omit<OverviewTotals, 'previous'>, by: TopMetric): number {
	return by === 'voice' ? overview.voiceMinutes : by === 'messages' ? overview.messages : overview.reactions;
}

export function topView(entries: TopEntry[], overview: OverviewTotals, options: { target: TopTarget; by: TopMetric }, ctx: ViewContext): ReportView {
	const { target, by } = options;
	const label = (id: string) => (target === 'members' ? ctx.memberLabel(id) : ctx.channelLabel(id));
	const items: RankingItem[] = entries.map((entry) => {
		const others = (['messages', 'voice', 'reactions'] as const)
			.filter((metric) => metric !== by && topValue(entry, metric) > 0)
			.map((metric) => `${formatNumber(topValue(entry, metric))} ${METRIC_UNITS[metric]}`);
		return { label: label(entry.id), value: topValue(entry, by), ...(others.length ? { sublabel: others.join(' · ') } : {}) };
	});
	const shown = items.reduce((sum, item) => sum + item.value, 0);
	const total = overviewValue(overview, by);
	const summary: SummaryItem[] = [
		{ label: `Server ${METRIC_UNITS[by]}`, value: total, color: COLORS.messages, ...withChange(total, overview.previous ? overviewValue(overview.previous, by) : overview.previous) },
		{ label: `Top ${entries.length || LIST_ITEMS} total`, value: Math.round(shown * 10) / 10, color: COLORS.active },
		{ label: `Top ${entries.length || LIST_ITEMS} share`, value: total > 0 ? `${Math.min(100, Math.round((shown / total) * 100))}%` : '–', color: COLORS.voice },
		{ label: 'Leader', value: items[0]?.label ?? '–', color: discordDarkTheme.podium[0] }
	];
	const title = `Top ${target} by ${METRIC_NAMES[by]}`;
	return {
		report: 'top',
		title,
		subtitle: subtitle(ctx),
		summary,
		spec: {
			layout: 'ranking',
			title,
			subtitle: subtitle(ctx),
			summary,
			items,
			valueLabel: METRIC_UNITS[by],
			emptyMessage: `No ${METRIC_NAMES[by]} recorded in this range yet.`
		},
		lists: [{ title, lines: rankLines(items, METRIC_UNITS[by]) }],
		highlights: [],
		note: ctx.note
	};
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Hour of day as "20:00–21:00". */
const hourSpan = (hour: number) => `${HEATMAP_HOURS[hour]}:00–${HEATMAP_HOURS[(hour + 1) % 24]}:00`;

export function activityView(data: Heatmap, ctx: ViewContext): ReportView {
	const unit = data.metric === 'voice' ? 'voice min' : 'messages';
	const dayTotals = data.cells.map((row) => row.reduce((a, b) => a + b, 0));
	const hourTotals = HEATMAP_HOURS.map((_, hour) => data.cells.reduce((sum, row) => sum + row[hour], 0));
	const argmax = (values: number[]) => values.reduce((best, value, i) => (value > values[best] ? i : best), 0);
	const busiestDay = argmax(dayTotals);
	const busiestHour = argmax(hourTotals);
	const cells = data.cells.flatMap((row, day) => row.map((value, hour) => ({ day, hour, value }))).filter((cell) => cell.value > 0);
	cells.sort((a, b) => b.value - a.value || a.day - b.day || a.hour - b.hour);
	const peak = cells[0];
	const any = data.total > 0;
	const summary: SummaryItem[] = [
		{ label: data.metric === 'voice' ? 'Voice minutes' : 'Messages', value: data.total, color: COLORS.messages, ...withChange(data.total, data.previousTotal) },
		{ label: 'Busiest day', value: any ? WEEKDAY_NAMES[busiestDay] : '–', color: COLORS.active },
		{ label: 'Busiest hour', value: any ? hourSpan(busiestHour) : '–', color: COLORS.voice },
		{ label: 'Peak', value: peak ? `${HEATMAP_WEEKDAYS[peak.day]} ${HEATMAP_HOURS[peak.hour]}:00` : '–', color: COLORS.reactions }
	];
	const title = data.metric === 'voice' ? 'Voice activity by hour and weekday' : 'Activity by hour and weekday';
	return {
		report: 'activity',
		title,
		subtitle: subtitle(ctx),
		summary,
		spec: {
			layout: 'heatmap',
			title,
			subtitle: subtitle(ctx),
			summary,
			rows: HEATMAP_WEEKDAYS,
			columns: HEATMAP_HOURS,
			values: data.cells,
			valueLabel: unit,
			emptyMessage: 'No activity in this range yet.'
		},
		lists: [
			{
				title: 'Busiest hours',
				lines: cells.slice(0, 5).map((cell, i) => `${i + 1}. ${WEEKDAY_NAMES[cell.day]} ${hourSpan(cell.hour)} — ${counted(cell.value, unit)}`)
			},
			{ title: 'By weekday', lines: any ? dayTotals.map((total, day) => `${HEATMAP_WEEKDAYS[day]}: ${formatNumber(total)}`) : [] }
		],
		highlights: any ? [`Hours are in ${data.timezone}.`] : [],
		note: ctx.note
	};
}

export function voiceView(data: VoiceStats, ctx: ViewContext): ReportView {
	const starts = data.series.map((point) => point.start);
	const t = data.totals;
	const p = data.previousTotals;
	const summary: SummaryItem[] = [
		{ label: 'Voice minutes', value: minutes(t.seconds), color: COLORS.voice, ...withChange(minutes(t.seconds), p ? minutes(p.seconds) : p) },
		{ label: 'Members in voice', value: t.members, color: COLORS.active, ...withChange(t.members, p?.members) },
		{ label: 'Sessions', value: t.sessions, color: COLORS.messages, ...withChange(t.sessions, p?.sessions) },
		{ label: 'Avg session', value: t.sessions > 0 ? `${formatNumber(Math.round(t.seconds / t.sessions / 6) / 10)} min` : '–', color: COLORS.reactions },
		{ label: 'Streaming minutes', value: minutes(t.streamingSeconds), color: COLORS.streaming, ...withChange(minutes(t.streamingSeconds), p ? minutes(p.streamingSeconds) : p) },
		{ label: 'Muted minutes', value: minutes(t.mutedSeconds), color: COLORS.muted, ...withChange(minutes(t.mutedSeconds), p ? minutes(p.mutedSeconds) : p) }
	];
	const channels: RankingItem[] = data.topChannels.map((entry) => ({ label: ctx.channelLabel(entry.id), value: minutes(entry.voiceSeconds) }));
	const people: RankingItem[] = data.topMembers.map((entry) => ({ label: ctx.memberLabel(entry.id), value: minutes(entry.voiceSeconds) }));
	const voice = data.series.map((point) => point.minutes);
	const title = 'Voice activity';
	return {
		report: 'voice',
		title,
		subtitle: subtitle(ctx),
		summary,
		spec: {
			layout: 'composite',
			title,
			subtitle: subtitle(ctx),
			summary,
			time: timeAxis(ctx, starts),
			series: [
				{ label: 'Voice minutes', values: voice, color: COLORS.voice, fill: true },
				{ label: 'Streaming minutes', values: data.series.map((point) => point.streamingMinutes), color: COLORS.streaming },
				{ label: 'Muted minutes', values: data.series.map((point) => point.mutedMinutes), color: COLORS.muted }
			],
			axisTitles: { left: 'Minutes' },
			panels: [
				{ title: 'Top voice channels', items: channels.slice(0, PANEL_ITEMS), valueLabel: 'min' },
				{ title: 'Top members in voice', items: people.slice(0, PANEL_ITEMS), valueLabel: 'min' }
			],
			emptyMessage: 'Nobody was in voice in this range.'
		},
		lists: [
			{ title: 'Top voice channels', lines: rankLines(channels.slice(0, LIST_ITEMS), 'min') },
			{ title: 'Top members in voice', lines: rankLines(people.slice(0, LIST_ITEMS), 'min') }
		],
		highlights: [peakLine(ctx, 'voice', starts, voice, 'voice min')].filter((line): line is string => line !== null),
		note: ctx.note
	};
}

export function growthView(data: GrowthReport, ctx: ViewContext): ReportView {
	const starts = data.series.map((point) => point.start);
	const t = data.totals;
	const p = data.previousTotals;
	const summary: SummaryItem[] = [
		{ label: 'Joins', value: t.joins, color: COLORS.joins, ...withChange(t.joins, p?.joins) },
		{ label: 'Leaves', value: t.leaves, color: COLORS.leaves, ...withChange(t.leaves, p?.leaves) },
		{ label: 'Net', value: signed(t.net), color: COLORS.messages, ...withChange(t.net, p?.net) },
		...(ctx.memberCount !== undefined ? [{ label: 'Members now', value: ctx.memberCount, color: COLORS.active }] : [])
	];
	const joins = data.series.map((point) => point.joins);
	const title = 'Member growth';
	return {
		report: 'growth',
		title,
		subtitle: subtitle(ctx),
		summary,
		spec: {
			layout: 'timeSeries',
			title,
			subtitle: subtitle(ctx),
			summary,
			time: timeAxis(ctx, starts),
			series: [
				{ label: 'Joins', values: joins, kind: 'bar', color: COLORS.joins },
				{ label: 'Leaves', values: data.series.map((point) => point.leaves), kind: 'bar', color: COLORS.leaves },
				{ label: 'Net (cumulative)', values: data.series.map((point) => point.cumulative), axis: 'right', color: COLORS.messages }
			],
			axisTitles: { left: `Members per ${ctx.resolved.options.bucket}`, right: 'Net members' },
			emptyMessage: 'Nobody joined or left in this range.'
		},
		lists: [],
		highlights: [peakLine(ctx, 'joins', starts, joins, 'joins')].filter((line): line is string => line !== null),
		note: ctx.note
	};
}
