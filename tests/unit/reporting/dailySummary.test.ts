import { describe, expect, it } from 'vitest';
import { validateMessagePayload } from '../../../sandbox/validateMessagePayload.js';
import { ChannelBatcher } from '#lib/reporting/ChannelBatcher.js';
import { buildDailySummaryReport } from '#lib/reporting/dailySummary.js';
import { buildAnalyticsReport, isQuietWindow } from '#lib/reporting/analyticsReport.js';
import { EventFormatter } from '#lib/reporting/EventFormatter.js';
import { Redactor } from '#lib/reporting/Redactor.js';
import type { ReportEvent, ReportEventInput } from '#lib/reporting/ReportEvent.js';
import type { AnalyticsSnapshot, DailySummary, GuildActivity } from '#lib/stats/statsTypes.js';

const activity = (guildId: string, messages: number, extra: Partial<GuildActivity> = {}): GuildActivity => ({
	guildId,
	messages,
	activeMembers: Math.ceil(messages / 10),
	voiceMinutes: 30,
	reactions: 5,
	joins: 2,
	leaves: 1,
	commands: 4,
	commandsFailed: 1,
	...extra
});

function summaryOf(guildCount: number): DailySummary {
	const guilds = Array.from({ length: guildCount }, (_, i) => ({
		...activity(String(100000000000000000n + BigInt(i)), 1000 - i),
		topChannels: [
			{ channelId: `20000000000000000${i % 10}`, messages: 600 },
			{ channelId: `30000000000000000${i % 10}`, messages: 300 }
		]
	}));
	const overall = { ...activity('', guilds.reduce((sum, g) => sum + g.messages, 0)) } as Omit<GuildActivity, 'guildId'> & { guildId?: string };
	delete overall.guildId;
	return { day: '2026-11-22', guilds, overall, botGuildJoins: 1, botGuildLeaves: 0 };
}

/** Packs one event the way the Reporter does and checks the message against Discord's limits. */
function packed(input: ReportEventInput) {
	const formatter = new EventFormatter(new Redactor([]));
	const batcher = new ChannelBatcher(formatter);
	const event: ReportEvent = { seq: 1, event: input.event, severity: input.severity ?? 'INFO', timestamp: new Date().toISOString(), title: input.title, data: input.data ?? {}, files: input.files };
	const message = batcher.pack([event], 'Analytics')!;
	expect(validateMessagePayload(message.body, message.files.map((file) => ({ size: file.data.length })))).toBeNull();
	return message;
}

describe('buildDailySummaryReport', () => {
	it('puts the totals in fields, one line per guild with names, health, uptime and restarts', () => {
		const report = buildDailySummaryReport(summaryOf(2), {
			ops: { upMinutes: 1380, starts: 2, alertsRaised: 3, health: { samples: 96, min: 61.4, avg: 88.2 } },
			guildName: (id) => (id === '100000000000000000' ? 'Alpha' : undefined),
			channelName: (id) => (id === '200000000000000000' ? 'general' : undefined),
			generatedAt: Date.UTC(2026, 10, 23, 0, 1)
		});
		const { data } = report.input;
		expect(report.input).toMatchObject({ event: 'summary.daily', severity: 'INFO', title: 'Daily summary for 2026-11-22 (UTC)' });
		expect(data).toMatchObject({ Guilds: '2', Messages: '1,999', Joins: '2', Leaves: '1', 'Voice minutes': '30', Reactions: '5', 'Commands run': '4', 'Commands failed': '1' });
		expect(data['Health min / avg']).toBe('61 / 88 (96 reports)');
		expect(data['Alerts raised']).toBe('3');
		expect(data.Uptime).toBe('23h 00m (95.8%)');
		expect(data.Restarts).toBe('2');
		const lines = String(data.message).split('\n');
		expect(lines[0]).toBe('Alpha: 1,000 messages · 100 active · +2/-1 members · 30 voice min · 5 reactions · 4 commands (1 failed) · top: #general 600, channel 300000000000000000 300');
		expect(lines[1]).toMatch(/^guild 100000000000000001: 999 messages/);
		expect(report.chart.items.map((item) => item.label)).toEqual(['Alpha', 'guild 100000000000000001']);
		expect(report.json.data.guilds).toHaveLength(2);
		expect(report.files).toEqual({ chart: 'daily-summary-2026-11-22.png', json: 'daily-summary-2026-11-22.json' });
	});

	it('says n/a without ops figures and shows a single guild as its top channels', () => {
		const report = buildDailySummaryReport(summaryOf(1), { ops: null, generatedAt: 0 });
		expect(report.input.data['Health min / avg']).toBe('n/a (no health reports)');
		expect(report.input.data.Uptime).toBe('n/a');
		expect(report.chart.items.map((item) => item.value)).toEqual([600, 300]);
		expect(buildDailySummaryReport({ ...summaryOf(0) }, { ops: null, generatedAt: 0 }).input.data.message).toBe('No activity was recorded on this day.');
	});

	it('stays within Discord limits as an embed with its files, even for 10,000 guilds', () => {
		const report = buildDailySummaryReport(summaryOf(10_000), { ops: null, generatedAt: 0 });
		expect(String(report.input.data.message)).toMatch(/…and 9,990 more guilds/);
		const json = Buffer.from(JSON.stringify(report.json));
		const message = packed({ ...report.input, files: [{ name: report.files.chart, data: Buffer.alloc(50_000) }, { name: report.files.json, data: json }] });
		expect(message.events).toHaveLength(1);
		expect(message.files.map((file) => file.name)).toEqual(['1-daily-summary-2026-11-22.png', '1-daily-summary-2026-11-22.json']);
		const embed = message.body.embeds![0]!;
		expect(embed.fields?.find((field) => field.name === 'Messages')?.value).toBe(Number(report.json.data.overall.messages).toLocaleString('en-US'));
		expect(embed.footer?.text).toBe('#1 · summary.daily · INFO');
	});
});

describe('buildAnalyticsReport', () => {
	const snapshot = (guilds: GuildActivity[]): AnalyticsSnapshot => ({
		from: Date.UTC(2026, 10, 23, 10, 0),
		to: Date.UTC(2026, 10, 23, 10, 15),
		guilds,
		total: guilds.reduce(
			(sum, g) => ({ messages: sum.messages + g.messages, activeMembers: sum.activeMembers + g.activeMembers, voiceMinutes: sum.voiceMinutes + g.voiceMinutes, reactions: sum.reactions + g.reactions, joins: sum.joins + g.joins, leaves: sum.leaves + g.leaves, commands: sum.commands + g.commands, commandsFailed: sum.commandsFailed + g.commandsFailed }),
			{ messages: 0, activeMembers: 0, voiceMinutes: 0, reactions: 0, joins: 0, leaves: 0, commands: 0, commandsFailed: 0 }
		)
	});

	it('is an embed (JSON attached) with per-guild lines and totals, within limits', () => {
		const input = buildAnalyticsReport(snapshot([activity('1', 40), activity('2', 10, { commandsFailed: 0 })]), (id) => (id === '1' ? 'One' : undefined));
		expect(input.title).toBe('Activity 10:00–10:15 UTC (15 min)');
		expect(input.data).toMatchObject({ Messages: '50', 'Voice minutes': '60', Joins: '4', Leaves: '2', Commands: '8 (1 failed)', Guilds: '2' });
		expect(String(input.data.message).split('\n')).toEqual([
			'One: 40 messages · 4 active · 30 voice min · +2/-1 members · 4 commands (1 failed)',
			'guild 2: 10 messages · 1 active · 30 voice min · +2/-1 members · 4 commands'
		]);
		const wire = JSON.parse(input.files![0]!.data.toString('utf8')) as { event: string; data: { guilds: unknown[] } };
		expect(wire.event).toBe('analytics.report');
		expect(wire.data.guilds).toHaveLength(2);
		expect(packed(input).body.embeds![0]!.title).toContain('Activity 10:00–10:15 UTC');
	});

	it('knows a quiet window', () => {
		expect(isQuietWindow(snapshot([]))).toBe(true);
		expect(isQuietWindow(snapshot([activity('1', 1)]))).toBe(false);
	});
});
