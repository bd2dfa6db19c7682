import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MEMBER_HOURLY_FLOOR_META, PER_MEMBER_FAMILIES } from '#lib/stats/hourlyRollup.js';
import { runRetention } from '#lib/stats/runRetention.js';
import { StatsAggregator } from '#lib/stats/StatsAggregator.js';
import type { StatsStore } from '#lib/stats/StatsStore.js';
import { FAMILIES, tableName } from '#lib/stats/statsSchema.js';
import type { ReportOptions } from '#lib/stats/statsTypes.js';
import { DAY, DIALECTS, HOUR, openTestStore, type TestStore } from './storeHelpers.js';
import { countRows } from '../../support/storeSchema.js';

const GUILD = '100000000000000001';
const MEMBERS = Array.from({ length: 12 }, (_, index) => String(300000000000000000n + BigInt(index)));
const CHANNELS = Array.from({ length: 4 }, (_, index) => String(200000000000000000n + BigInt(index)));
const THREAD = '210000000000000001';
const VOICE = '220000000000000001';
/** 13:30 UTC: named ranges end mid-day, so their first day is partial. */
const NOW = Date.UTC(2026, 2, 10, 13, 30);
const DAYS = 30;
/** STATS_MEMBER_HOURLY_DAYS's default: a 7-day range and its previous week stay hourly. */
const KEEP = 15;

function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** DAYS days of messages (some in a thread), reactions and voice from 12 members, flushed once a day. */
async function fill(store: StatsStore): Promise<void> {
	const random = seeded(11);
	const aggregator = new StatsAggregator();
	for (let day = DAYS; day >= 0; day--) {
		for (let k = 0; k < 60; k++) {
			const at = NOW - day * DAY - Math.floor(random() * DAY);
			if (at >= NOW) continue;
			const userId = MEMBERS[Math.floor(random() * MEMBERS.length)]!;
			const bot = userId === MEMBERS[11];
			const channelId = CHANNELS[Math.floor(random() * CHANNELS.length)]!;
			const roll = random();
			if (roll < 0.7) {
				const inThread = random() < 0.2;
				aggregator.recordMessage({ guildId: GUILD, channelId: inThread ? THREAD : channelId, parentChannelId: inThread ? CHANNELS[0] : null, userId, bot, at });
			} else if (roll < 0.85) {
				const authorId = MEMBERS[Math.floor(random() * MEMBERS.length)]!;
				aggregator.recordReaction({ guildId: GUILD, channelId, userId, bot, authorId, authorBot: authorId === MEMBERS[11], delta: random() < 0.9 ? 1 : -1, at });
			} else {
				const fromSec = Math.floor(at / 1000);
				aggregator.recordVoice({ guildId: GUILD, channelId: VOICE, userId, bot, fromSec, toSec: Math.min(fromSec + 600 + Math.floor(random() * 5400), Math.floor(NOW / 1000)), muted: random() < 0.3, deafened: false, streaming: random() < 0.1, sessionStart: true });
			}
			if (random() < 0.03) aggregator.recordMemberJoin({ guildId: GUILD, userId, at });
		}
		await store.applyDeltas(aggregator.drain(), NOW - day * DAY);
	}
}

const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY;
const endHour = (Math.floor(NOW / HOUR) + 1) * HOUR;

/** Every /guildstats read over `range`, in one object. */
async function reports(store: StatsStore, range: { from: number; to: number }, bucket: 'hour' | 'day', timezone = 'UTC') {
	const options: ReportOptions = { range, bucket, timezone, members: 'humans' };
	const role = { ...options, userIds: MEMBERS.slice(0, 5) };
	return {
		overview: await store.reports.overview(GUILD, options),
		overviewBoth: await store.reports.overview(GUILD, { ...options, members: 'both' }),
		overviewRole: await store.reports.overview(GUILD, role),
		series: await store.reports.timeSeries(GUILD, options),
		seriesRole: await store.reports.timeSeries(GUILD, role),
		topMembers: await store.reports.top(GUILD, { ...options, target: 'members', by: 'messages', limit: 5 }),
		topVoice: await store.reports.top(GUILD, { ...options, target: 'members', by: 'voice' }),
		topChannels: await store.reports.top(GUILD, { ...options, target: 'channels', by: 'messages' }),
		topChannelsRole: await store.reports.top(GUILD, { ...role, target: 'channels', by: 'messages' }),
		member: await store.reports.memberStats(GUILD, MEMBERS[0]!, options),
		channel: await store.reports.channelStats(GUILD, CHANNELS[0]!, options),
		thread: await store.reports.channelStats(GUILD, THREAD, options),
		voice: await store.reports.voiceStats(GUILD, options),
		growth: await store.reports.growth(GUILD, options),
		heatmap: await store.reports.heatmap(GUILD, options),
		exportDaily: await store.reports.exportRows(GUILD, { granularity: 'daily', from: Math.floor(range.from / DAY), to: Math.ceil(range.to / DAY) })
	};
}

/** Guild-level reads only (they never touch per-member hourly rows). */
async function guildReports(store: StatsStore, range: { from: number; to: number }) {
	const options: ReportOptions = { range, bucket: 'day', timezone: 'UTC', members: 'humans' };
	const voice = await store.reports.voiceStats(GUILD, options);
	return {
		overview: await store.reports.overview(GUILD, options),
		series: await store.reports.timeSeries(GUILD, options),
		heatmap: await store.reports.heatmap(GUILD, options),
		growth: await store.reports.growth(GUILD, options),
		voice: { totals: voice.totals, series: voice.series }
	};
}

async function countBelow(store: StatsStore, table: string, hour: number): Promise<number> {
	const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)} where hour < ${hour}`.execute(store.db);
	return Number(rows[0]!.n);
}

describe.each(DIALECTS)('per-member hourly rollup (%s)', (dialect) => {
	let handle: TestStore | null = null;
	afterEach(async () => {
		await handle?.dispose();
		handle = null;
	});

	it('keeps every report identical over ranges spanning rolled and kept days; deletes only per-member hours past the floor; idempotent', async () => {
		handle = await openTestStore(dialect, 'rollup');
		const { store } = handle;
		await fill(store);
		const floorHour = (Math.floor(NOW / DAY) - KEEP) * 24;
		// Whole days before the floor plus hours after it; and a week within the kept hours.
		const spanning = { from: dayStart(NOW) - 25 * DAY, to: endHour };
		const week = { from: endHour - 7 * DAY, to: endHour };
		const named = { from: endHour - 27 * DAY, to: endHour };
		const before = { spanning: await reports(store, spanning, 'day'), week: await reports(store, week, 'hour'), guildNamed: await guildReports(store, named) };
		const detailBefore = await Promise.all(PER_MEMBER_FAMILIES.map((family) => countRows(store, tableName(family, 'daily'))));
		const guildHourly = await countRows(store, tableName(FAMILIES.guild, 'hourly'));
		const channelHourly = await countRows(store, tableName(FAMILIES.channel, 'hourly'));
		const kept = await Promise.all(PER_MEMBER_FAMILIES.map(async (family) => (await countRows(store, tableName(family, 'hourly'))) - (await countBelow(store, tableName(family, 'hourly'), floorHour))));
		expect(await countBelow(store, tableName(FAMILIES.member, 'hourly'), floorHour)).toBeGreaterThan(100);
		expect(before.spanning.overview.messages).toBeGreaterThan(0);
		expect(before.spanning.thread.totals.messages).toBeGreaterThan(0);
		expect(before.spanning.voice.totals.seconds).toBeGreaterThan(0);

		// A crash right after the floor was raised: readers already use the daily rows, nothing deleted yet.
		await store.meta.set(MEMBER_HOURLY_FLOOR_META, String(floorHour));
		expect(await reports(store, spanning, 'day')).toEqual(before.spanning);

		const result = await store.rollupMemberHourly({ memberHourlyDays: KEEP, now: NOW, batchRows: 37 });
		expect(result.floorHour).toBe(floorHour);
		expect(result.rows).toBeGreaterThan(100);
		for (const [index, family] of PER_MEMBER_FAMILIES.entries()) {
			expect(await countBelow(store, tableName(family, 'hourly'), floorHour)).toBe(0);
			expect(await countRows(store, tableName(family, 'hourly'))).toBe(kept[index]);
			expect(await countRows(store, tableName(family, 'daily'))).toBe(detailBefore[index]);
		}
		expect(await countRows(store, tableName(FAMILIES.guild, 'hourly'))).toBe(guildHourly);
		expect(await countRows(store, tableName(FAMILIES.channel, 'hourly'))).toBe(channelHourly);

		expect(await reports(store, spanning, 'day')).toEqual(before.spanning);
		expect(await reports(store, week, 'hour')).toEqual(before.week);
		expect(await guildReports(store, named)).toEqual(before.guildNamed);

		const again = await store.rollupMemberHourly({ memberHourlyDays: KEEP, now: NOW });
		expect(again.rows).toBe(0);
		expect(await reports(store, spanning, 'day')).toEqual(before.spanning);
	});

	it('a late batch for an hour already rolled up keeps that hour\'s active-member count (its member rows are gone)', async () => {
		handle = await openTestStore(dialect, 'rollup4');
		const { store } = handle;
		await fill(store);
		const floorHour = (Math.floor(NOW / DAY) - KEEP) * 24;
		const busiest = await sql<{ hour: number }>`select hour from ${sql.table(tableName(FAMILIES.guild, 'hourly'))}
			where guild_id = ${GUILD} and bot = 0 and hour < ${floorHour} order by active_members desc, hour limit 1`.execute(store.db);
		const hour = Number(busiest.rows[0]!.hour);
		const guildHour = async () =>
			(
				await sql<{ messages: number; active_members: number }>`select messages, active_members from ${sql.table(tableName(FAMILIES.guild, 'hourly'))}
					where guild_id = ${GUILD} and hour = ${hour} and bot = 0`.execute(store.db)
			).rows.map((row) => ({ messages: Number(row.messages), active: Number(row.active_members) }))[0]!;
		const before = await guildHour();
		expect(before.active).toBeGreaterThan(1);
		await store.rollupMemberHourly({ memberHourlyDays: KEEP, now: NOW });
		const late = new StatsAggregator();
		late.recordMessage({ guildId: GUILD, channelId: CHANNELS[1]!, userId: MEMBERS[0]!, bot: false, at: hour * HOUR + 60_000 });
		await store.applyDeltas(late.drain(), NOW);
		expect(await guildHour()).toEqual({ messages: before.messages + 1, active: before.active });
	});

	it('two shards rolling up at once delete each row once and count nothing twice', async () => {
		handle = await openTestStore(dialect, 'rollup2');
		const { store } = handle;
		await fill(store);
		const other = await handle.reopen();
		const spanning = { from: dayStart(NOW) - 22 * DAY, to: endHour };
		const before = await reports(store, spanning, 'day');
		const totalBefore = await countRows(store, tableName(FAMILIES.message, 'hourly'));
		const run = (target: StatsStore) => target.rollupMemberHourly({ memberHourlyDays: KEEP, now: NOW, batchRows: 50 });
		// SQLite is one process (better-sqlite3 waits synchronously, so two stores in one process cannot interleave): one after the other.
		const [a, b] = dialect === 'postgres' ? await Promise.all([run(store), run(other)]) : [await run(store), await run(other)];
		expect(a.rows + b.rows).toBeGreaterThan(0);
		if (dialect === 'sqlite') expect(b.rows).toBe(0);
		expect(a.floorHour).toBe(b.floorHour);
		const perMemberHourly = async () => {
			let sum = 0;
			for (const family of PER_MEMBER_FAMILIES) sum += await countBelow(store, tableName(family, 'hourly'), a.floorHour);
			return sum;
		};
		expect(await perMemberHourly()).toBe(0);
		expect(await countRows(store, tableName(FAMILIES.message, 'hourly'))).toBeLessThan(totalBefore);
		expect(await reports(store, spanning, 'day')).toEqual(before);
		expect(await reports(other, spanning, 'day')).toEqual(before);
	});

	it('runs with retention: runRetention rolls up before pruning and reports the rows', async () => {
		handle = await openTestStore(dialect, 'rollup3');
		const { store } = handle;
		await fill(store);
		const events: { data?: Record<string, unknown> }[] = [];
		const stats = {
			prune: (options: { hourlyDays: number; dailyDays: number }) => store.prune({ ...options, now: NOW }),
			rollupMemberHourly: (options: { memberHourlyDays: number }) => store.rollupMemberHourly({ ...options, now: NOW })
		};
		const reporter = { enqueue: (_channel: string, input: { data?: Record<string, unknown> }) => void events.push(input) };
		await runRetention({ stats, reporter, hourlyDays: 25, dailyDays: 400, memberHourlyDays: KEEP });
		expect(Number(events[0]!.data!.memberHourlyRows)).toBeGreaterThan(0);
		expect(events[0]!.data!.memberHourlyDays).toBe(KEEP);
		const floors = await store.hourlyFloors();
		expect(floors).toEqual({ hour: (Math.floor(NOW / DAY) - 25) * 24, memberHour: (Math.floor(NOW / DAY) - KEEP) * 24 });
		// Capped at RETENTION_HOURLY_DAYS.
		await runRetention({ stats, reporter, hourlyDays: 5, dailyDays: 400, memberHourlyDays: KEEP });
		expect(await store.hourlyFloors()).toEqual({ hour: (Math.floor(NOW / DAY) - 5) * 24, memberHour: (Math.floor(NOW / DAY) - 5) * 24 });
	});
});
