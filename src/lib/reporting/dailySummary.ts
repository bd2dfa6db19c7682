import type { RankingItem, RankingSpec, SummaryItem } from '#lib/charts/ChartSpecs.js';
import type { DailySummary } from '#lib/stats/statsTypes.js';
import type { ReportEventInput } from './ReportEvent.js';

export const DAILY_SUMMARY_EVENT = 'summary.daily';
/** Guilds listed in the embed; every guild is in the JSON attachment. */
const GUILDS_SHOWN = 10;
const MINUTES_PER_DAY = 1440;

/** Fleet-wide operational figures of one UTC day (see DailyOpsLedger). */
export interface OpsDayFigures {
	/** Minutes of the day during which at least one bot process was up. */
	upMinutes: number;
	/** Process starts that day (first starts and restarts alike). */
	starts: number;
	/** Health scores (0-100) seen that day; undefined when no health report ran. */
	health?: { samples: number; min: number; avg: number };
	/** Alerts that fired that day. */
	alertsRaised: number;
}

export interface DailySummaryContext {
	/** From DailyOpsLedger; null when the ledger could not be read (shown as n/a). */
	ops: OpsDayFigures | null;
	/** Display names where this process knows them (guilds of other shards fall back to ids). */
	guildName?: (guildId: string) => string | undefined;
	channelName?: (channelId: string) => string | undefined;
	/** When the report was built (the event timestamp). */
	generatedAt: number;
}

export interface DailySummaryWireData {
	day: string;
	overall: DailySummary['overall'];
	botGuildJoins: number;
	botGuildLeaves: number;
	guilds: (DailySummary['guilds'][number] & { name: string | null })[];
	ops: OpsDayFigures | null;
}

export interface DailySummaryReport {
	/** The Analytics event, without files (the caller attaches the chart and `json`). */
	input: ReportEventInput & { data: Record<string, unknown> };
	/** A ranking of guilds by messages (or, with a single guild, of its channels), with the day's totals as tiles. */
	chart: RankingSpec;
	/** Every figure, every guild: the `{event, timestamp, data}` wire shape for the attachment. */
	json: { event: string; timestamp: string; data: DailySummaryWireData };
	/** File names for the attachments. */
	files: { chart: string; json: string };
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const hoursMinutes = (minutes: number) => `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;

/**
 * Yesterday's totals per guild and overall, plus health, uptime and restarts, as one readable
 * Analytics embed (inline fields for the totals, a line per guild), a chart and a JSON attachment.
 * Pure: the poster fetches the data, this only shapes it.
 */
export function buildDailySummaryReport(summary: DailySummary, context: DailySummaryContext): DailySummaryReport {
	const { overall, day } = summary;
	const guildLabel = (guildId: string) => context.guildName?.(guildId) ?? `guild ${guildId}`;
	const channelLabel = (channelId: string) => {
		const name = context.channelName?.(channelId);
		return name ? `#${name}` : `channel ${channelId}`;
	};
	const ops = context.ops;
	const health = ops?.health;

	const lines = summary.guilds.slice(0, GUILDS_SHOWN).map((guild) => {
		const parts = [
			`${n(guild.messages)} messages`,
			`${n(guild.activeMembers)} active`,
			`+${n(guild.joins)}/-${n(guild.leaves)} members`,
			`${n(guild.voiceMinutes)} voice min`,
			`${n(guild.reactions)} reactions`,
			`${n(guild.commands)} commands${guild.commandsFailed ? ` (${n(guild.commandsFailed)} failed)` : ''}`
		];
		if (guild.topChannels.length) parts.push(`top: ${guild.topChannels.map((channel) => `${channelLabel(channel.channelId)} ${n(channel.messages)}`).join(', ')}`);
		return `${guildLabel(guild.guildId)}: ${parts.join(' · ')}`;
	});
	if (summary.guilds.length > GUILDS_SHOWN) lines.push(`…and ${n(summary.guilds.length - GUILDS_SHOWN)} more guilds (every guild is in the JSON attachment).`);
	const message = lines.length ? lines.join('\n') : 'No activity was recorded on this day.';

	const data: Record<string, unknown> = {
		message,
		Day: `${day} (UTC)`,
		Guilds: n(summary.guilds.length),
		Messages: n(overall.messages),
		'Active members': n(overall.activeMembers),
		Joins: n(overall.joins),
		Leaves: n(overall.leaves),
		'Voice minutes': n(overall.voiceMinutes),
		Reactions: n(overall.reactions),
		'Commands run': n(overall.commands),
		'Commands failed': n(overall.commandsFailed),
		'Bot guilds joined/left': `+${n(summary.botGuildJoins)} / -${n(summary.botGuildLeaves)}`,
		'Health min / avg': health ? `${n(health.min)} / ${n(health.avg)} (${n(health.samples)} reports)` : 'n/a (no health reports)',
		'Alerts raised': ops ? n(ops.alertsRaised) : 'n/a',
		Uptime: ops ? `${hoursMinutes(Math.min(ops.upMinutes, MINUTES_PER_DAY))} (${((Math.min(ops.upMinutes, MINUTES_PER_DAY) / MINUTES_PER_DAY) * 100).toFixed(1)}%)` : 'n/a',
		Restarts: ops ? n(ops.starts) : 'n/a'
	};

	const tiles: SummaryItem[] = [
		{ label: 'Messages', value: overall.messages },
		{ label: 'Active members', value: overall.activeMembers },
		{ label: 'Voice minutes', value: overall.voiceMinutes },
		{ label: 'Joins / leaves', value: `+${n(overall.joins)} / -${n(overall.leaves)}` },
		{ label: 'Commands', value: overall.commandsFailed ? `${n(overall.commands)} (${n(overall.commandsFailed)} failed)` : overall.commands }
	];
	const single = summary.guilds.length === 1 ? summary.guilds[0]! : undefined;
	const items: RankingItem[] = single
		? single.topChannels.map((channel) => ({ label: channelLabel(channel.channelId), value: channel.messages }))
		: summary.guilds.slice(0, GUILDS_SHOWN).map((guild) => ({
				label: guildLabel(guild.guildId),
				value: guild.messages,
				sublabel: `${n(guild.activeMembers)} active · ${n(guild.voiceMinutes)} voice min`
			}));
	const chart: RankingSpec = {
		title: `Daily summary · ${day}`,
		subtitle: single ? `${guildLabel(single.guildId)} · top channels · UTC day` : `${n(summary.guilds.length)} guilds · messages per guild · UTC day`,
		summary: tiles,
		items,
		valueLabel: 'messages',
		emptyMessage: 'No messages on this day'
	};

	const timestamp = new Date(context.generatedAt).toISOString();
	const json = {
		event: DAILY_SUMMARY_EVENT,
		timestamp,
		data: {
			day,
			overall,
			botGuildJoins: summary.botGuildJoins,
			botGuildLeaves: summary.botGuildLeaves,
			guilds: summary.guilds.map((guild) => ({ ...guild, name: context.guildName?.(guild.guildId) ?? null })),
			ops
		}
	};

	return {
		input: { event: DAILY_SUMMARY_EVENT, severity: 'INFO', title: `Daily summary for ${day} (UTC)`, timestamp: context.generatedAt, data },
		chart,
		json,
		files: { chart: `daily-summary-${day}.png`, json: `daily-summary-${day}.json` }
	};
}
