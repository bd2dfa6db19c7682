import type { AnalyticsSnapshot } from '#lib/stats/statsTypes.js';
import type { ReportEventInput } from './ReportEvent.js';

export const ANALYTICS_REPORT_EVENT = 'analytics.report';
/** Guilds listed in the embed; every guild is in the JSON attachment. */
const GUILDS_SHOWN = 15;

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** True when nothing happened in the window (no report is posted then). */
export function isQuietWindow(snapshot: AnalyticsSnapshot): boolean {
	const t = snapshot.total;
	return t.messages + t.activeMembers + t.voiceMinutes + t.reactions + t.joins + t.leaves + t.commands === 0;
}

/**
 * The periodic Analytics report: activity flushed since the previous report, overall (inline
 * fields) and one line per guild (messages, active members, voice minutes, joins/leaves,
 * commands). The full snapshot rides along as the `{event, timestamp, data}` JSON attachment,
 * which also makes the batcher show it as an embed rather than a dense line.
 */
export function buildAnalyticsReport(snapshot: AnalyticsSnapshot, guildName?: (guildId: string) => string | undefined): ReportEventInput & { data: Record<string, unknown> } {
	const { total } = snapshot;
	const label = (guildId: string) => guildName?.(guildId) ?? `guild ${guildId}`;
	const lines = snapshot.guilds.slice(0, GUILDS_SHOWN).map((guild) =>
		[
			`${label(guild.guildId)}: ${n(guild.messages)} messages`,
			`${n(guild.activeMembers)} active`,
			`${n(guild.voiceMinutes)} voice min`,
			`+${n(guild.joins)}/-${n(guild.leaves)} members`,
			`${n(guild.commands)} commands${guild.commandsFailed ? ` (${n(guild.commandsFailed)} failed)` : ''}`
		].join(' · ')
	);
	if (snapshot.guilds.length > GUILDS_SHOWN) lines.push(`…and ${n(snapshot.guilds.length - GUILDS_SHOWN)} more guilds (see the JSON attachment).`);
	const seconds = Math.max(1, Math.round((snapshot.to - snapshot.from) / 1000));
	const length = seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
	const timestamp = new Date(snapshot.to).toISOString();
	const wire = { event: ANALYTICS_REPORT_EVENT, timestamp, data: { ...snapshot, from: new Date(snapshot.from).toISOString(), to: timestamp } };
	return {
		event: ANALYTICS_REPORT_EVENT,
		severity: 'INFO',
		title: `Activity ${hhmm(snapshot.from)}–${hhmm(snapshot.to)} UTC (${length})`,
		timestamp: snapshot.to,
		data: {
			message: lines.join('\n') || 'No guild activity in this window.',
			Messages: n(total.messages),
			'Active members': n(total.activeMembers),
			'Voice minutes': n(total.voiceMinutes),
			Joins: n(total.joins),
			Leaves: n(total.leaves),
			Commands: total.commandsFailed ? `${n(total.commands)} (${n(total.commandsFailed)} failed)` : n(total.commands),
			Guilds: n(snapshot.guilds.length)
		},
		files: [{ name: `analytics-${timestamp.replace(/[:.]/g, '-')}.json`, data: Buffer.from(`${JSON.stringify(wire, null, 2)}\n`) }]
	};
}
