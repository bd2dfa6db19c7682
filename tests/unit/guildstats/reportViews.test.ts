import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '#lib/charts/ChartSpecs.js';
import { fieldLines, renderFooter, reportEmbed, summaryValue } from '#lib/guildstats/reportEmbed.js';
import { resolveReportOptions, validateReportInput } from '#lib/guildstats/reportOptions.js';
import { activityView, channelView, growthView, memberView, serverView, topView, voiceView, type ViewContext } from '#lib/guildstats/reportViews.js';
import type { OverviewTotals, ServerReport } from '#lib/stats/statsTypes.js';

const NOW = Date.UTC(2025, 5, 11, 14, 20);
const HOUR = 3_600_000;

function context(input: Parameters<typeof validateReportInput>[0] = { range: '24h' }, timezone = 'Europe/Berlin', extra: Partial<ViewContext> = {}): ViewContext {
	return {
		guildName: 'Test Guild',
		resolved: resolveReportOptions(validateReportInput(input), { timezone, now: NOW }),
		channelLabel: (id) => `#chan-${id}`,
		memberLabel: (id) => `Name ${id}`,
		...extra
	};
}

const overview = (patch: Partial<OverviewTotals> = {}): OverviewTotals => ({
	messages: 1234,
	activeMembers: 56,
	voiceSeconds: 7260,
	voiceMinutes: 121,
	reactions: 78,
	joins: 9,
	leaves: 4,
	net: 5,
	commands: 3,
	commandsFailed: 0,
	...patch
});

const entry = (id: string, messages: number, voiceSeconds = 0, reactions = 0) => ({ id, value: messages, messages, voiceSeconds, reactions });

function serverData(): ServerReport {
	const start = Date.UTC(2025, 5, 10, 15);
	return {
		overview: overview(),
		series: [0, 1, 2].map((i) => ({ start: start + i * HOUR, messages: 10 * (i + 1), activeMembers: i + 1, voiceMinutes: 5 * i, reactions: 0, joins: 0, leaves: 0 })),
		topChannels: [entry('1', 700, 120), entry('2', 300)],
		topMembers: [entry('10', 500), entry('11', 200)]
	};
}

const layoutOf = <L extends ChartSpec['layout']>(spec: ChartSpec, layout: L) => {
	expect(spec.layout).toBe(layout);
	return spec as Extract<ChartSpec, { layout: L }>;
};

describe('serverView', () => {
	it('maps the report onto the overview layout, with names and the same summary numbers', () => {
		const view = serverView(serverData(), context());
		const spec = layoutOf(view.spec, 'serverOverview');
		expect(view.summary.map((item) => [item.label, item.value])).toEqual([
			['Messages', 1234],
			['Active members', 56],
			['Voice minutes', 121],
			['Reactions', 78],
			['Joins', 9],
			['Leaves', 4]
		]);
		expect(spec.summary).toBe(view.summary);
		expect(spec.series.map((series) => [series.label, series.values])).toEqual([
			['Messages', [10, 20, 30]],
			['Active members', [1, 2, 3]],
			['Voice minutes', [0, 5, 10]]
		]);
		expect(spec.time).toEqual({ startsMs: serverData().series.map((point) => point.start), bucket: 'hour', timeZone: 'Europe/Berlin' });
		expect(spec.topChannels).toEqual([
			{ label: '#chan-1', value: 700, sublabel: '2 voice min' },
			{ label: '#chan-2', value: 300 }
		]);
		expect(spec.topMembers.map((item) => item.label)).toEqual(['Name 10', 'Name 11']);
		expect(view.subtitle).toBe('Test Guild · Last 24 hours · Europe/Berlin · Humans');
		expect(view.lists[1].lines[0]).toBe('1. Name 10 — 500 messages');
		// The busiest hour is told in the guild's timezone (15:00 UTC + 2 h = 19:00 in Berlin).
		expect(view.highlights[0]).toBe('Busiest hour for messages: Jun 10, 19:00 (30 messages)');
	});

	it('the timezone and members options show in the subtitle and the time axis', () => {
		const view = serverView(serverData(), context({ range: '30d', members: 'both' }, 'America/New_York'));
		expect(view.subtitle).toBe('Test Guild · Last 30 days · America/New_York · Humans and bots');
		expect(layoutOf(view.spec, 'serverOverview').time).toMatchObject({ bucket: 'day', timeZone: 'America/New_York' });
	});
});

describe('other views', () => {
	it('member: voice channels get their own panel; a former member is said to be one', () => {
		const view = memberView(
			{
				userId: '10',
				optedOut: false,
				totals: { messages: 40, voiceSeconds: 3600, reactionsGiven: 2, reactionsReceived: 7 },
				series: [{ start: NOW, messages: 40, voiceMinutes: 60, reactionsGiven: 2 }],
				topChannels: [
					{ channelId: '1', messages: 30, voiceSeconds: 0 },
					{ channelId: '5', messages: 0, voiceSeconds: 3600 },
					{ channelId: '2', messages: 10, voiceSeconds: 0 }
				]
			},
			{ id: '10', name: 'Otter', inGuild: false },
			context()
		);
		const spec = layoutOf(view.spec, 'composite');
		expect(spec.panels.map((panel) => [panel.title, panel.items.map((item) => `${item.label}=${item.value}`)])).toEqual([
			['Top channels', ['#chan-1=30', '#chan-2=10']],
			['Voice channels', ['#chan-5=60']]
		]);
		expect(view.summary.map((item) => item.value)).toEqual([40, 60, 2, 7]);
		expect(view.title).toBe('Otter — member activity');
		expect(view.note).toBe('No longer a member of this server.');
		expect(view.subtitle).not.toMatch(/Humans/);
	});

	it('one rounding for voice minutes: a 30-second member reads 0.5 in the tile and in the panel', () => {
		const view = memberView(
			{ userId: '10', optedOut: false, totals: { messages: 0, voiceSeconds: 30, reactionsGiven: 0, reactionsReceived: 0 }, series: [{ start: NOW, messages: 0, voiceMinutes: 0, reactionsGiven: 0 }], topChannels: [{ channelId: '5', messages: 0, voiceSeconds: 30 }] },
			{ id: '10', name: 'Otter', inGuild: true },
			context()
		);
		const spec = layoutOf(view.spec, 'composite');
		expect(view.summary.find((item) => item.label === 'Voice minutes')?.value).toBe(0.5);
		expect(spec.panels.find((panel) => panel.title === 'Voice channels')?.items[0]?.value).toBe(0.5);
	});

	it('channel: a thread has no Reactions tile (they are counted under its parent) and says it is a thread', () => {
		const view = channelView(
			{ channelId: '7', thread: true, totals: { messages: 12, activeMembers: 2, voiceSeconds: 0, reactions: 0 }, series: [{ start: NOW, messages: 12, voiceMinutes: 0 }], topMembers: [{ userId: '10', messages: 12, voiceSeconds: 0 }] },
			{ id: '7', label: '#help-thread', voice: false },
			context()
		);
		expect(view.summary.map((item) => item.label)).toEqual(['Messages', 'Active members']);
		expect(view.highlights.join('\n')).toMatch(/This is a thread.*Reactions in threads are counted under the parent channel/s);
	});

	it('channel: a voice channel charts voice first', () => {
		const view = channelView(
			{ channelId: '5', thread: false, totals: { messages: 0, activeMembers: 3, voiceSeconds: 600, reactions: 0 }, series: [{ start: NOW, messages: 0, voiceMinutes: 10 }], topMembers: [{ userId: '10', messages: 0, voiceSeconds: 600 }] },
			{ id: '5', label: 'Lounge', voice: true },
			context()
		);
		const spec = layoutOf(view.spec, 'composite');
		expect(spec.series.map((series) => [series.label, series.axis])).toEqual([['Voice minutes', 'left']]);
		expect(view.summary.map((item) => item.label)).toEqual(['Active members', 'Voice minutes', 'Reactions']);
		expect(spec.panels[0]).toMatchObject({ valueLabel: 'min', items: [{ label: 'Name 10', value: 10 }] });
		// The second panel ranks the busiest buckets, labelled in the guild's timezone (14:20 UTC -> 16:20 in Berlin).
		expect(spec.panels[1]).toEqual({ title: 'Busiest hours', items: [{ label: 'Jun 11, 16:20', value: 10 }], valueLabel: 'min' });
	});

	it('top: values in the ranked unit (voice in minutes), the rest as sublabels, share of the server total', () => {
		const entries = [entry('10', 50, 5400, 3), entry('11', 10, 1800, 0)];
		const view = topView(entries, overview({ voiceMinutes: 240 }), { target: 'members', by: 'voice' }, context());
		const spec = layoutOf(view.spec, 'ranking');
		expect(spec.items).toEqual([
			{ label: 'Name 10', value: 90, sublabel: '50 messages · 3 reactions' },
			{ label: 'Name 11', value: 30, sublabel: '10 messages' }
		]);
		expect(spec.valueLabel).toBe('voice min');
		expect(view.title).toBe('Top members by voice time');
		expect(view.summary.map((item) => summaryValue(item))).toEqual(['240', '120', '50%', 'Name 10']);
		const channels = topView([entry('1', 5)], overview(), { target: 'channels', by: 'messages' }, context());
		expect(layoutOf(channels.spec, 'ranking').items[0].label).toBe('#chan-1');
	});

	it('activity: weekday rows Monday first, busiest day and hour, peak cell', () => {
		const cells = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
		cells[3][20] = 9; // Thursday 20:00
		cells[3][21] = 4;
		cells[6][20] = 5; // Sunday 20:00
		const view = activityView({ metric: 'messages', timezone: 'Europe/Berlin', cells, max: 9, total: 18 }, context());
		const spec = layoutOf(view.spec, 'heatmap');
		expect(spec.rows[0]).toBe('Mon');
		expect(spec.values[3][20]).toBe(9);
		expect(view.summary.map((item) => summaryValue(item))).toEqual(['18', 'Thursday', '20:00–21:00', 'Thu 20:00']);
		expect(view.lists[0].lines[0]).toBe('1. Thursday 20:00–21:00 — 9 messages');
	});

	it('voice and growth', () => {
		const voice = voiceView(
			{
				totals: { seconds: 7200, mutedSeconds: 600, deafenedSeconds: 0, streamingSeconds: 1200, sessions: 4, members: 3 },
				series: [{ start: NOW, minutes: 120, mutedMinutes: 10, streamingMinutes: 20 }],
				topChannels: [entry('5', 0, 7200)],
				topMembers: [entry('10', 0, 3600)]
			},
			context()
		);
		expect(voice.summary.map((item) => summaryValue(item))).toEqual(['120', '3', '4', '30 min', '20', '10']);
		const growth = growthView({ totals: { joins: 3, leaves: 5, net: -2 }, series: [{ start: NOW, joins: 3, leaves: 5, net: -2, cumulative: -2 }] }, context({}, 'UTC', { memberCount: 200 }));
		expect(growth.summary.map((item) => summaryValue(item))).toEqual(['3', '5', '-2', '200']);
		expect(layoutOf(growth.spec, 'timeSeries').series.map((series) => series.kind ?? 'line')).toEqual(['bar', 'bar', 'line']);
	});
});

describe('reportEmbed', () => {
	it('repeats the summary numbers as fields; the image variant points at the attachment and stays short', () => {
		const view = serverView(serverData(), context());
		const embed = reportEmbed(view, { imageName: 'guildstats-server.png', footer: renderFooter({ cached: false, deduped: false, renderMs: 123.4 }) });
		expect(embed.fields!.map((field) => [field.name, field.value])).toEqual(view.summary.map((item) => [item.label, summaryValue(item)]));
		expect(embed.fields!.find((field) => field.name === 'Messages')!.value).toBe('1,234');
		expect(embed.image).toEqual({ url: 'attachment://guildstats-server.png' });
		expect(embed.footer!.text).toBe('Rendered in 123 ms · Nexus');
		expect(renderFooter({ cached: true, deduped: false, renderMs: 80 })).toBe('From cache (rendered in 80 ms) · Nexus');
	});

	it('the text variant adds the top lists and highlights, within Discord limits', () => {
		const data = serverData();
		data.topMembers = Array.from({ length: 60 }, (_, i) => entry(String(100 + i), 1000 - i));
		const view = serverView(data, context({}, 'UTC', { memberLabel: (id) => `A very long display name number ${id} ${'x'.repeat(60)}` }));
		const embed = reportEmbed(view);
		expect(embed.image).toBeUndefined();
		const names = embed.fields!.map((field) => field.name);
		expect(names).toEqual(expect.arrayContaining(['Top channels', 'Top members', 'Highlights']));
		for (const field of embed.fields!) expect(field.value.length).toBeLessThanOrEqual(1024);
		const total = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + embed.fields!.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
		expect(total).toBeLessThanOrEqual(6000);
	});

	it('fieldLines cuts whole lines and says how many were left out', () => {
		const lines = Array.from({ length: 50 }, (_, i) => `${i + 1}. ${'n'.repeat(40)}`);
		const value = fieldLines(lines, 300);
		expect(value.length).toBeLessThanOrEqual(300);
		expect(value).toMatch(/… and \d+ more$/);
		expect(fieldLines(['a', 'b'])).toBe('a\nb');
	});
});
