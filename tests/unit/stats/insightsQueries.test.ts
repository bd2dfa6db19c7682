import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsStore } from '#lib/stats/StatsStore.js';
import { emptyDeltas, type ReportOptions } from '#lib/stats/statsTypes.js';
import { DIALECTS, openTestStore, type TestStore } from './storeHelpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 20, 12, 30);
const G = '800000000000000001';
const [A, B, C] = ['810000000000000001', '810000000000000002', '810000000000000003'];
const CH = '820000000000000001';

const week = (userIds?: string[]): ReportOptions => {
	const to = (Math.floor(NOW / HOUR) + 1) * HOUR;
	return { range: { from: to - 7 * DAY, to }, bucket: 'hour', timezone: 'UTC', members: 'both', ...(userIds ? { userIds } : {}) };
};

/** Role filter (userIds), previous-period totals and the export/last-activity reads, on both dialects. */
describe.each(DIALECTS)('insight queries on %s', (dialect) => {
	let ctx: TestStore;
	let store: StatsStore;

	beforeAll(async () => {
		ctx = await openTestStore(dialect, 'insights');
		store = ctx.store;
		const deltas = emptyDeltas();
		const message = (userId: string, at: number, messages: number) =>
			deltas.messages.push({ guildId: G, channelId: CH, threadId: '', userId, hour: Math.floor(at / HOUR), bot: false, messages, lastAt: at });
		message(A, NOW - 2 * HOUR, 5);
		message(B, NOW - 3 * DAY, 2);
		message(C, NOW - 1 * HOUR, 7);
		// The previous week: A only.
		message(A, NOW - 10 * DAY, 4);
		deltas.voice.push({ guildId: G, channelId: CH, userId: B, hour: Math.floor((NOW - 5 * HOUR) / HOUR), bot: false, seconds: 600, mutedSeconds: 0, deafenedSeconds: 0, streamingSeconds: 0, sessions: 1, lastAt: NOW - 5 * HOUR });
		deltas.membership.push({ guildId: G, hour: Math.floor((NOW - 4 * HOUR) / HOUR), bot: false, joins: 2, leaves: 1 });
		await store.applyDeltas(deltas, NOW);
	}, 60_000);

	afterAll(async () => {
		await ctx?.dispose();
	}, 60_000);

	it('overview: this week and the previous one from the same statements', async () => {
		const o = await store.reports.overview(G, week());
		expect([o.messages, o.activeMembers, o.voiceSeconds, o.joins, o.leaves]).toEqual([14, 3, 600, 2, 1]);
		expect(o.previous).toMatchObject({ messages: 4, activeMembers: 1, voiceSeconds: 0, joins: 0, leaves: 0 });
		expect((await store.reports.overview(G, { ...week(), range: { from: 0, to: NOW + HOUR } })).previous).toBeNull();
		const growth = await store.reports.growth(G, week());
		expect(growth.previousTotals).toEqual({ joins: 0, leaves: 0, net: 0 });
		const member = await store.reports.memberStats(G, A, week());
		expect([member.totals.messages, member.previousTotals?.messages]).toEqual([5, 4]);
		const channel = await store.reports.channelStats(G, CH, week());
		expect([channel.totals.messages, channel.previousTotals?.messages, channel.previousTotals?.activeMembers]).toEqual([14, 4, 1]);
		const heatmap = await store.reports.heatmap(G, { ...week(), metric: 'messages' });
		expect([heatmap.total, heatmap.previousTotal]).toEqual([14, 4]);
	});

	it('userIds: totals, active members, series, top and heatmap of those members only', async () => {
		const o = await store.reports.overview(G, week([A, B]));
		expect([o.messages, o.activeMembers, o.voiceSeconds, o.joins]).toEqual([7, 2, 600, 0]);
		expect(o.previous).toMatchObject({ messages: 4, activeMembers: 1 });
		const series = await store.reports.timeSeries(G, week([A, B]));
		expect(series.reduce((sum, point) => sum + point.messages, 0)).toBe(7);
		expect(Math.max(...series.map((point) => point.activeMembers))).toBe(1);
		const top = await store.reports.top(G, { ...week([A, C]), target: 'members', by: 'messages' });
		expect(top.map((entry) => [entry.id, entry.messages])).toEqual([
			[C, 7],
			[A, 5]
		]);
		const channels = await store.reports.top(G, { ...week([B]), target: 'channels', by: 'messages' });
		expect(channels.map((entry) => [entry.id, entry.messages])).toEqual([[CH, 2]]);
		expect((await store.reports.heatmap(G, { ...week([C]), metric: 'messages' })).total).toBe(7);
		// A role with thousands of members is still one parameter.
		const many = [...Array.from({ length: 40_000 }, (_, i) => String(900000000000000000n + BigInt(i))), A];
		expect((await store.reports.overview(G, week(many))).messages).toBe(5);
	});

	it('export rows and last activity leave opted-out members out', async () => {
		await store.setOptOut(C, 'hide');
		const last = await store.reports.lastActivity(G);
		expect([...last.keys()].sort()).toEqual([A, B]);
		expect(last.get(A)).toBe(NOW - 2 * HOUR);
		const day = Math.floor(NOW / DAY);
		const rows = await store.reports.exportRows(G, { granularity: 'daily', from: day - 30, to: day + 1 });
		expect(rows.members.some((row) => row.userId === C)).toBe(false);
		expect(rows.members.reduce((sum, row) => sum + row.messages, 0)).toBe(11);
		expect(rows.guild.reduce((sum, row) => sum + row.joins, 0)).toBe(2);
		await store.setOptOut(C, null);
	});
});
