import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsAggregator } from '#lib/stats/StatsAggregator.js';
import { StatsService } from '#lib/stats/StatsService.js';
import type { StatsStore } from '#lib/stats/StatsStore.js';
import { COLUMN_MEANINGS, privacyStatement } from '#lib/stats/privacyStatement.js';
import { allTables, TABLES } from '#lib/stats/statsSchema.js';
import type { ReportOptions } from '#lib/stats/statsTypes.js';
import { schemaColumns } from '../../support/storeSchema.js';
import { DAY, DIALECTS, HOUR, openTestStore, snowflake, type TestStore } from './storeHelpers.js';

/*
 * One store suite, run against SQLite (temp file) and PostgreSQL (own schema, dropped afterwards).
 * Every test uses fresh guild/user ids, so they share one store per dialect.
 */

const T0 = Date.UTC(2026, 0, 5, 10); // Monday 10:00 UTC

function clock(start: number) {
	const state = { now: start };
	return { now: () => state.now, set: (value: number) => (state.now = value), advance: (ms: number) => (state.now += ms) };
}

const options = (from: number, to: number, extra: Partial<ReportOptions> = {}): ReportOptions => ({
	range: { from, to },
	bucket: 'hour',
	timezone: 'UTC',
	members: 'both',
	...extra
});

function seeded(seed: number) {
	let state = seed >>> 0;
	return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

async function rowsOf<T>(store: StatsStore, query: ReturnType<typeof sql>): Promise<T[]> {
	return (await query.execute(store.db)).rows as T[];
}

describe.each(DIALECTS)('stats store on %s', (dialect) => {
	let ctx: TestStore;
	let store: StatsStore;

	beforeAll(async () => {
		ctx = await openTestStore(dialect, 'suite');
		store = ctx.store;
	}, 60_000);

	afterAll(async () => {
		await ctx?.dispose();
	}, 60_000);

	function service(now: () => number, voiceMinSeconds = 10) {
		return new StatsService({ store, voiceMinSeconds, now, privacyRefreshMs: 0 });
	}

	it('has no column that could hold message content', async () => {
		const columns = await schemaColumns(store);
		const tables = new Set(columns.map((column) => column.table));
		for (const table of allTables()) expect(tables.has(table)).toBe(true);
		const suspicious = columns.filter((column) => /content|text|body|message_content|attachment|embed/i.test(column.column));
		expect(suspicious).toEqual([]);
		// The privacy statement explains every stored column (kysely's own migration tables aside).
		const unexplained = columns.filter((column) => !column.table.startsWith('kysely_') && !(column.column in COLUMN_MEANINGS));
		expect(unexplained).toEqual([]);
		const statement = privacyStatement({ hourlyDays: 90, dailyDays: 730, graceDays: 30 });
		expect(statement.sections.every((section) => section.value.length <= 1024 && section.name.length <= 256)).toBe(true);
		expect(statement.sections.map((section) => section.value).join('\n')).toContain('Never message content');
	});

	it('a scripted event stream yields exactly the expected counts (per channel/member/hour, reactions, voice, joins, leaves)', async () => {
		const time = clock(T0);
		const stats = service(time.now, 0);
		await stats.start();
		const guild = snowflake();
		const channels = [snowflake(), snowflake(), snowflake()];
		const thread = snowflake();
		const users = [snowflake(), snowflake(), snowflake(), snowflake()];
		const bot = snowflake();
		const random = seeded(99);
		const expected = new Map<string, number>(); // channel|user|hour -> messages
		const perChannel = new Map<string, number>();
		const perUser = new Map<string, number>();
		let humanMessages = 0;
		let botMessages = 0;
		const given = new Map<string, number>();
		const received = new Map<string, number>();
		let joins = 0;
		let leaves = 0;
		for (let i = 0; i < 600; i++) {
			const at = T0 + Math.floor(random() * 3 * HOUR);
			const isBot = i % 10 === 0;
			const userId = isBot ? bot : users[Math.floor(random() * users.length)];
			const inThread = i % 7 === 0;
			const channelId = inThread ? channels[0] : channels[Math.floor(random() * channels.length)];
			stats.recordMessage({ guildId: guild, channelId: inThread ? thread : channelId, parentChannelId: inThread ? channelId : undefined, userId, bot: isBot, at });
			const key = `${channelId}|${userId}|${Math.floor(at / HOUR)}`;
			expected.set(key, (expected.get(key) ?? 0) + 1);
			perChannel.set(channelId, (perChannel.get(channelId) ?? 0) + 1);
			perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
			if (isBot) botMessages += 1;
			else humanMessages += 1;
			if (i % 3 === 0) {
				const reactor = users[i % users.length];
				const author = users[(i + 1) % users.length];
				stats.recordReaction({ guildId: guild, channelId, userId: reactor, authorId: author, delta: 1, at });
				given.set(reactor, (given.get(reactor) ?? 0) + 1);
				received.set(author, (received.get(author) ?? 0) + 1);
				if (i % 9 === 0) {
					stats.recordReaction({ guildId: guild, channelId, userId: reactor, authorId: author, delta: -1, at: at + 1000 });
					given.set(reactor, given.get(reactor)! - 1);
					received.set(author, received.get(author)! - 1);
				}
			}
			if (i % 50 === 0) {
				stats.recordMemberJoin({ guildId: guild, userId: snowflake(), at });
				joins += 1;
			}
			if (i % 75 === 0) {
				stats.recordMemberLeave({ guildId: guild, userId: snowflake(), at });
				leaves += 1;
			}
			if (i === 300) await stats.flush(); // flushing in the middle must add, not overwrite
		}
		stats.onVoiceState(guild, users[0], null, { channelId: channels[2], muted: false, deafened: false, streaming: false }, T0 + 1000);
		stats.onVoiceState(guild, users[0], { channelId: channels[2], muted: false, deafened: false, streaming: false }, null, T0 + 1000 + 754_000);
		await stats.flush();

		const stored = await rowsOf<{ channel_id: string; user_id: string; hour: number; messages: number }>(
			store,
			sql`select channel_id, user_id, hour, messages from stats_message_hourly where guild_id = ${guild}`
		);
		const merged = new Map<string, number>();
		for (const row of stored) {
			const key = `${row.channel_id}|${row.user_id}|${Number(row.hour)}`;
			merged.set(key, (merged.get(key) ?? 0) + Number(row.messages)); // thread rows fold into their parent
		}
		expect(merged).toEqual(expected);

		const range = options(T0 - HOUR, T0 + 4 * HOUR);
		const overview = await stats.store.reports.overview(guild, range);
		const netGiven = [...given.values()].reduce((a, b) => a + b, 0);
		expect(overview).toMatchObject({ messages: 600, reactions: netGiven, joins, leaves, net: joins - leaves, voiceSeconds: 754, activeMembers: 5 });
		expect((await stats.store.reports.overview(guild, { ...range, members: 'humans' })).messages).toBe(humanMessages);
		expect((await stats.store.reports.overview(guild, { ...range, members: 'bots' })).messages).toBe(botMessages);

		const topChannels = await stats.store.reports.top(guild, { ...range, target: 'channels', by: 'messages', limit: 10 });
		expect(Object.fromEntries(topChannels.map((entry) => [entry.id, entry.messages]))).toEqual(Object.fromEntries(perChannel));
		const topMembers = await stats.store.reports.top(guild, { ...range, target: 'members', by: 'messages', limit: 10 });
		expect(Object.fromEntries(topMembers.map((entry) => [entry.id, entry.value]))).toEqual(Object.fromEntries(perUser));
		for (const user of users) {
			const member = await stats.store.reports.memberStats(guild, user, range);
			expect(member.totals.messages).toBe(perUser.get(user) ?? 0);
			expect(member.totals.reactionsGiven).toBe(given.get(user) ?? 0);
			expect(member.totals.reactionsReceived).toBe(received.get(user) ?? 0);
		}
		const series = await stats.store.reports.timeSeries(guild, range);
		expect(series).toHaveLength(5);
		expect(series.reduce((sum, point) => sum + point.messages, 0)).toBe(600);
		expect(series.map((point) => point.start)).toEqual([0, 1, 2, 3, 4].map((i) => T0 - HOUR + i * HOUR));
		const threadStats = await stats.store.reports.channelStats(guild, thread, range);
		expect(threadStats.thread).toBe(true);
		expect(threadStats.totals.messages).toBe(Math.ceil(600 / 7));
		const parent = await stats.store.reports.channelStats(guild, channels[0], range);
		expect(parent.totals.messages).toBe(perChannel.get(channels[0]));
		const voice = await stats.store.reports.voiceStats(guild, range);
		expect(voice.totals).toMatchObject({ seconds: 754, sessions: 1, members: 1 });
		expect(voice.topChannels[0]).toMatchObject({ id: channels[2], voiceSeconds: 754 });
		const growth = await stats.store.reports.growth(guild, range);
		expect(growth.totals).toEqual({ joins, leaves, net: joins - leaves });
		expect(growth.series.at(-1)!.cumulative).toBe(joins - leaves);
	});

	it('voice join -> move -> mute -> leave stores the right per-channel seconds', async () => {
		const time = clock(T0);
		const stats = service(time.now);
		await stats.start();
		const guild = snowflake();
		const [a, b, user] = [snowflake(), snowflake(), snowflake()];
		const idle = { muted: false, deafened: false, streaming: false };
		stats.onVoiceState(guild, user, null, { channelId: a, ...idle }, T0);
		stats.onVoiceState(guild, user, { channelId: a, ...idle }, { channelId: b, ...idle }, T0 + 300_000);
		time.set(T0 + 400_000);
		await stats.flush(); // checkpoint credits the open session so far
		stats.onVoiceState(guild, user, { channelId: b, ...idle }, { channelId: b, ...idle, muted: true }, T0 + 500_000);
		stats.onVoiceState(guild, user, { channelId: b, ...idle, muted: true }, null, T0 + 900_000);
		time.set(T0 + 900_000);
		await stats.flush();
		const rows = await rowsOf<{ channel_id: string; seconds: number; muted_seconds: number; sessions: number }>(
			store,
			sql`select channel_id, sum(seconds) as seconds, sum(muted_seconds) as muted_seconds, sum(sessions) as sessions from stats_voice_hourly where guild_id = ${guild} group by channel_id`
		);
		const byChannel = Object.fromEntries(rows.map((row) => [row.channel_id, [Number(row.seconds), Number(row.muted_seconds), Number(row.sessions)]]));
		expect(byChannel).toEqual({ [a]: [300, 0, 1], [b]: [600, 400, 0] });
		const channelB = await stats.store.reports.channelStats(guild, b, options(T0, T0 + HOUR));
		expect(channelB.totals.voiceSeconds).toBe(600);
	});

	it('a restart mid-session neither loses nor double-counts voice time', async () => {
		const guild = snowflake();
		const [channel, user] = [snowflake(), snowflake()];
		const idle = { channelId: channel, muted: false, deafened: false, streaming: false };
		const time = clock(T0);
		const first = new StatsService({ store: await ctx.reopen(), voiceMinSeconds: 10, now: time.now });
		await first.start();
		first.onVoiceState(guild, user, null, idle, T0);
		time.set(T0 + 60_000);
		await first.flush();
		time.set(T0 + 150_000);
		await first.stop(); // closes the session at 150 s and flushes
		time.set(T0 + 150_000);
		const second = new StatsService({ store: await ctx.reopen(), voiceMinSeconds: 10, now: time.now });
		await second.start();
		second.seedVoiceStates(guild, [{ userId: user, ...idle }]); // the gateway reports them still in voice
		time.set(T0 + 210_000);
		await second.flush();
		second.onVoiceState(guild, user, idle, null, T0 + 400_000);
		time.set(T0 + 400_000);
		await second.stop();
		const voice = await store.reports.voiceStats(guild, options(T0, T0 + HOUR));
		expect(voice.totals.seconds).toBe(400);
		expect(voice.totals.sessions).toBe(1);
	});

	it('a flush writes only the dirty rows', async () => {
		const time = clock(T0);
		const stats = service(time.now);
		await stats.start();
		const guild = snowflake();
		const [channel, u1, u2] = [snowflake(), snowflake(), snowflake()];
		const changes = async () => (dialect === 'sqlite' ? Number((await rowsOf<{ n: number }>(store, sql`select total_changes() as n`))[0].n) : 0);
		for (let i = 0; i < 5; i++) stats.recordMessage({ guildId: guild, channelId: channel, userId: i % 2 ? u1 : u2, bot: false, at: T0 + i });
		const first = await stats.flush();
		expect(first.rows).toBe(2); // two (channel, member, hour) counters changed
		const before = await changes();
		stats.recordMessage({ guildId: guild, channelId: channel, userId: u1, bot: false, at: T0 + 10 });
		const second = await stats.flush();
		expect(second.rows).toBe(1);
		// 1 message row + 1 member row + 1 channel row + 1 guild row, each hourly and daily, + member and
		// channel totals, + active counts (hour, day, local day) + the flush log row and the flush sequence counter.
		expect(second.written).toBe(4 * 2 + 2 + 3 + 2);
		if (dialect === 'sqlite') expect((await changes()) - before).toBe(second.written);
		const idle = await stats.flush();
		expect(idle).toMatchObject({ rows: 0, written: 0, statements: 0 });
		const stored = await rowsOf<{ user_id: string; messages: number }>(store, sql`select user_id, messages from stats_message_hourly where guild_id = ${guild} order by user_id`);
		expect(stored.map((row) => [row.user_id, Number(row.messages)])).toEqual(
			[
				[u1, 3],
				[u2, 3]
			].sort((a, b) => (a[0] < b[0] ? -1 : 1))
		);
	});

	it('a failed flush keeps the deltas and the next flush writes them', async () => {
		const time = clock(T0);
		let failNext = true;
		const failing = new Proxy(store, {
			get(target, property, receiver) {
				if (property === 'applyDeltas') {
					return async (...args: Parameters<StatsStore['applyDeltas']>) => {
						if (failNext) {
							failNext = false;
							throw new Error('database unavailable');
						}
						return target.applyDeltas(...args);
					};
				}
				const value = Reflect.get(target, property, receiver);
				return typeof value === 'function' ? value.bind(target) : value;
			}
		});
		const stats = new StatsService({ store: failing, voiceMinSeconds: 10, now: time.now, privacyRefreshMs: 0 });
		await stats.start();
		const guild = snowflake();
		const [channel, user] = [snowflake(), snowflake()];
		for (let i = 0; i < 3; i++) stats.recordMessage({ guildId: guild, channelId: channel, userId: user, bot: false, at: T0 });
		await expect(stats.flush()).rejects.toThrow('database unavailable');
		expect(stats.metrics()).toMatchObject({ failures: 1, pendingRows: 1, lastError: 'database unavailable' });
		expect(stats.dataVersion(guild)).toBe(0);
		stats.recordMessage({ guildId: guild, channelId: channel, userId: user, bot: false, at: T0 + 1 });
		const retry = await stats.flush();
		expect(retry.rows).toBe(1);
		expect(stats.dataVersion(guild)).toBe(1);
		expect((await stats.store.reports.overview(guild, options(T0, T0 + HOUR))).messages).toBe(4);
		expect(stats.metrics()).toMatchObject({ failures: 1, flushes: 1, pendingRows: 0, lastError: null });
	});

	it('concurrent flushes from two aggregators never lose or double an increment', async () => {
		const guild = snowflake();
		const channels = [snowflake(), snowflake()];
		const users = [snowflake(), snowflake(), snowflake()];
		// PostgreSQL: two pools, as two shards would have. SQLite: better-sqlite3 is synchronous, so two
		// connections in ONE process would block each other's event loop; one process has one connection,
		// and concurrent flushes through it queue on it (other processes would wait on busy_timeout).
		const stores = dialect === 'postgres' ? [await ctx.reopen(), await ctx.reopen()] : [store, store];
		const aggregators = [new StatsAggregator(), new StatsAggregator()];
		const ROUNDS = 15;
		let sent = 0;
		for (let round = 0; round < ROUNDS; round++) {
			for (let side = 0; side < 2; side++) {
				for (let i = 0; i < 40; i++) {
					aggregators[side].recordMessage({ guildId: guild, channelId: channels[i % 2], userId: users[(i + side) % 3], bot: false, at: T0 + (i % 3) * HOUR });
					aggregators[side].recordReaction({ guildId: guild, channelId: channels[i % 2], userId: users[i % 3], authorId: users[(i + 1) % 3], delta: 1, at: T0 });
					sent += 1;
				}
			}
			await Promise.all(aggregators.map((aggregator, side) => stores[side].applyDeltas(aggregator.drain(), T0 + round)));
		}
		const overview = await store.reports.overview(guild, options(T0, T0 + 3 * HOUR));
		expect(overview.messages).toBe(sent);
		expect(overview.reactions).toBe(sent);
		const daily = await rowsOf<{ n: number }>(store, sql`select sum(messages) as n from stats_member_daily where guild_id = ${guild}`);
		expect(Number(daily[0].n)).toBe(sent);
		const received = await rowsOf<{ n: number }>(store, sql`select sum(received) as n from stats_reaction_hourly where guild_id = ${guild}`);
		expect(Number(received[0].n)).toBe(sent);
		expect(overview.activeMembers).toBe(3);
	});

	it('a delete opt-out removes every row about the member, in every guild, and corrects the aggregates', async () => {
		const time = clock(T0);
		const stats = service(time.now, 0);
		await stats.start();
		const guilds = [snowflake(), snowflake()];
		const [channel, voiceChannel, target, other] = [snowflake(), snowflake(), snowflake(), snowflake()];
		for (const guild of guilds) {
			for (let i = 0; i < 4; i++) stats.recordMessage({ guildId: guild, channelId: channel, userId: target, bot: false, at: T0 + i * HOUR });
			stats.recordMessage({ guildId: guild, channelId: channel, userId: other, bot: false, at: T0 });
			stats.recordReaction({ guildId: guild, channelId: channel, userId: target, authorId: other, delta: 1, at: T0 }); // given
			stats.recordReaction({ guildId: guild, channelId: channel, userId: other, authorId: target, delta: 1, at: T0 }); // received as author
			stats.onVoiceState(guild, target, null, { channelId: voiceChannel, muted: false, deafened: false, streaming: false }, T0);
			stats.onVoiceState(guild, target, { channelId: voiceChannel, muted: false, deafened: false, streaming: false }, null, T0 + 120_000);
		}
		stats.recordCommand({ guildId: guilds[0], command: 'guildstats', ok: true, durationMs: 10, at: T0 });
		await stats.flush();
		const range = options(T0 - DAY, T0 + DAY);
		expect((await stats.store.reports.overview(guilds[0], range)).messages).toBe(5);
		const versionBefore = stats.dataVersion(guilds[0]);

		await stats.optOut(target, 'delete');
		expect(stats.dataVersion(guilds[0])).toBeGreaterThan(versionBefore);
		expect(await store.getOptOut(target)).toBe('delete');
		const columns = await schemaColumns(store);
		const userTables = [...new Set(columns.filter((column) => column.column === 'user_id').map((column) => column.table))];
		expect(userTables.length).toBeGreaterThanOrEqual(9);
		// Every table but the opt-out list itself.
		for (const table of userTables.filter((name) => name !== TABLES.optOuts)) {
			const rows = await rowsOf<{ n: number }>(store, sql`select count(*) as n from ${sql.table(table)} where user_id = ${target}`);
			expect([table, Number(rows[0].n)]).toEqual([table, 0]);
		}
		// The other member's own rows stay; the aggregates no longer include the deleted member.
		for (const guild of guilds) {
			const overview = await stats.store.reports.overview(guild, range);
			expect(overview).toMatchObject({ messages: 1, reactions: 1, voiceSeconds: 0, activeMembers: 1 });
			const series = await stats.store.reports.timeSeries(guild, { ...range, bucket: 'day' });
			expect(series.reduce((sum, point) => sum + point.activeMembers, 0)).toBe(1);
			const top = await stats.store.reports.top(guild, { ...range, target: 'channels', by: 'messages' });
			expect(top.map((entry) => entry.messages)).toEqual([1]);
		}
	});

	it('hide stops capture and hides the member everywhere; opting back in restores; delete removes', async () => {
		const time = clock(T0);
		const stats = service(time.now);
		await stats.start();
		const guild = snowflake();
		const [channel, shy, other] = [snowflake(), snowflake(), snowflake()];
		const message = (userId: string, at = T0) => stats.recordMessage({ guildId: guild, channelId: channel, userId, bot: false, at });
		message(shy);
		message(shy);
		message(other);
		await stats.flush();
		const range = options(T0, T0 + HOUR);
		expect((await stats.store.reports.overview(guild, range)).messages).toBe(3);

		message(shy); // pending when they opt out: dropped
		await stats.optOut(shy, 'hide');
		expect(stats.getOptOut(shy)).toBe('hide');
		message(shy); // not captured
		stats.recordReaction({ guildId: guild, channelId: channel, userId: shy, authorId: other, delta: 1, at: T0 });
		stats.onVoiceState(guild, shy, null, { channelId: channel, muted: false, deafened: false, streaming: false }, T0);
		expect(stats.voice.size).toBe(0);
		await stats.flush();
		const hidden = await stats.store.reports.overview(guild, range);
		expect(hidden).toMatchObject({ messages: 1, activeMembers: 1, reactions: 0 });
		expect((await stats.store.reports.top(guild, { ...range, target: 'members', by: 'messages' })).map((entry) => entry.id)).toEqual([other]);
		expect((await stats.store.reports.memberStats(guild, shy, range)).optedOut).toBe(true);
		expect((await stats.store.reports.timeSeries(guild, range))[0]).toMatchObject({ messages: 1, activeMembers: 1 });
		// The reaction the hidden member gave was not captured; the author's "received" was (it is about the author).
		expect((await stats.store.reports.memberStats(guild, other, range)).totals.reactionsReceived).toBe(1);

		await stats.optIn(shy);
		expect((await stats.store.reports.overview(guild, range)).messages).toBe(3); // kept rows count again
		expect((await stats.store.reports.overview(guild, range)).activeMembers).toBe(2);
		message(shy);
		await stats.flush();
		expect((await stats.store.reports.overview(guild, range)).messages).toBe(4);

		await stats.optOut(shy, 'delete');
		expect((await stats.store.reports.overview(guild, range)).messages).toBe(1);
		const left = await rowsOf<{ n: number }>(store, sql`select count(*) as n from stats_member_hourly where user_id = ${shy}`);
		expect(Number(left[0].n)).toBe(0);
		// Another process starting now loads the opt-out list from the store.
		const restarted = service(time.now);
		await restarted.start();
		expect(restarted.getOptOut(shy)).toBe('delete');
	});

	it('ignored channels and categories and disabled guilds are not captured', async () => {
		const time = clock(T0);
		const stats = service(time.now, 0);
		await stats.start();
		const [guild, offGuild] = [snowflake(), snowflake()];
		const [ignored, category, inCategory, open, thread, user] = [snowflake(), snowflake(), snowflake(), snowflake(), snowflake(), snowflake()];
		await stats.ignoreChannel(guild, ignored);
		await stats.ignoreChannel(guild, category, 'category');
		await stats.setGuildEnabled(offGuild, false);
		expect(stats.isGuildEnabled(offGuild)).toBe(false);
		stats.recordMessage({ guildId: guild, channelId: ignored, userId: user, bot: false, at: T0 });
		stats.recordMessage({ guildId: guild, channelId: thread, parentChannelId: ignored, userId: user, bot: false, at: T0 });
		stats.recordMessage({ guildId: guild, channelId: inCategory, categoryId: category, userId: user, bot: false, at: T0 });
		stats.recordReaction({ guildId: guild, channelId: inCategory, categoryId: category, userId: user, authorId: user, delta: 1, at: T0 });
		stats.onVoiceState(guild, user, null, { channelId: ignored, muted: false, deafened: false, streaming: false }, T0);
		stats.recordMessage({ guildId: guild, channelId: open, userId: user, bot: false, at: T0 });
		stats.recordMessage({ guildId: offGuild, channelId: open, userId: user, bot: false, at: T0 });
		stats.recordMemberJoin({ guildId: offGuild, userId: user, at: T0 });
		stats.onVoiceState(offGuild, user, null, { channelId: open, muted: false, deafened: false, streaming: false }, T0);
		expect(stats.voice.size).toBe(0);
		await stats.flush();
		const range = options(T0, T0 + HOUR);
		expect(await stats.store.reports.overview(guild, range)).toMatchObject({ messages: 1, reactions: 0 });
		expect((await stats.store.reports.top(guild, { ...range, target: 'channels', by: 'messages' })).map((entry) => entry.id)).toEqual([open]);
		expect(await stats.store.reports.overview(offGuild, range)).toMatchObject({ messages: 0, joins: 0 });
		const settings = await stats.store.getGuildSettings(guild);
		expect(settings.ignored).toEqual(
			[
				{ channelId: ignored, kind: 'channel' },
				{ channelId: category, kind: 'category' }
			].sort((a, b) => (a.channelId < b.channelId ? -1 : 1))
		);
		expect((await stats.store.getGuildSettings(offGuild)).enabled).toBe(false);
		await stats.unignoreChannel(guild, ignored);
		await stats.setGuildEnabled(offGuild, true);
		stats.recordMessage({ guildId: guild, channelId: ignored, userId: user, bot: false, at: T0 });
		stats.recordMessage({ guildId: offGuild, channelId: open, userId: user, bot: false, at: T0 });
		await stats.flush();
		expect((await stats.store.reports.overview(guild, range)).messages).toBe(2);
		expect((await stats.store.reports.overview(offGuild, range)).messages).toBe(1);
	});

	it('timezone, range and members options change the results as expected', async () => {
		const time = clock(T0);
		const stats = service(time.now);
		await stats.start();
		const guild = snowflake();
		const [channel, human, human2, bot] = [snowflake(), snowflake(), snowflake(), snowflake()];
		// Sunday 2026-01-04 23:30 UTC and Monday 00:30 UTC: two UTC days, one New York day (Sunday evening).
		const late = Date.UTC(2026, 0, 4, 23, 30);
		const early = Date.UTC(2026, 0, 5, 0, 30);
		stats.recordMessage({ guildId: guild, channelId: channel, userId: human, bot: false, at: late });
		stats.recordMessage({ guildId: guild, channelId: channel, userId: human2, bot: false, at: early });
		stats.recordMessage({ guildId: guild, channelId: channel, userId: bot, bot: true, at: early });
		// Ten days earlier: outside a 7-day range, inside a 30-day one.
		stats.recordMessage({ guildId: guild, channelId: channel, userId: human, bot: false, at: late - 10 * DAY });
		await stats.flush();
		const now = Date.UTC(2026, 0, 5, 12);
		const week = options(now - 7 * DAY, now, { bucket: 'day' });
		const utcDays = (await stats.store.reports.timeSeries(guild, week)).filter((point) => point.messages > 0);
		expect(utcDays.map((point) => [new Date(point.start).toISOString(), point.messages, point.activeMembers])).toEqual([
			['2026-01-04T00:00:00.000Z', 1, 1],
			['2026-01-05T00:00:00.000Z', 2, 2]
		]);
		const newYork = { ...week, timezone: 'America/New_York' };
		const nyDays = (await stats.store.reports.timeSeries(guild, newYork)).filter((point) => point.messages > 0);
		expect(nyDays.map((point) => [new Date(point.start).toISOString(), point.messages, point.activeMembers])).toEqual([['2026-01-04T05:00:00.000Z', 3, 3]]);
		// The same, counted at flush time in the guild's own timezone, once it is set.
		expect(await stats.setGuildTimezone(guild, 'America/New_York')).toBe('America/New_York');
		const nyPrecomputed = (await stats.store.reports.timeSeries(guild, newYork)).filter((point) => point.messages > 0);
		expect(nyPrecomputed).toEqual(nyDays);
		await expect(stats.setGuildTimezone(guild, 'Not/AZone')).rejects.toThrow(RangeError);

		const utcHeat = await stats.store.reports.heatmap(guild, week);
		const nyHeat = await stats.store.reports.heatmap(guild, newYork);
		expect(utcHeat.cells[6][23]).toBe(1); // Sunday 23:00 UTC
		expect(utcHeat.cells[0][0]).toBe(2); // Monday 00:00 UTC
		expect(nyHeat.cells[6][18]).toBe(1); // Sunday 18:00 New York
		expect(nyHeat.cells[6][19]).toBe(2);
		expect(nyHeat.total).toBe(3);

		expect((await stats.store.reports.overview(guild, week)).messages).toBe(3);
		expect((await stats.store.reports.overview(guild, options(now - 30 * DAY, now))).messages).toBe(4);
		expect((await stats.store.reports.overview(guild, options(now - 30 * DAY, now))).activeMembers).toBe(3);
		expect((await stats.store.reports.overview(guild, { ...week, members: 'humans' })).messages).toBe(2);
		expect((await stats.store.reports.overview(guild, { ...week, members: 'bots' })).messages).toBe(1);
		expect((await stats.store.reports.overview(guild, { ...week, members: 'bots' })).activeMembers).toBe(1);
		expect((await stats.store.reports.top(guild, { ...week, members: 'humans', target: 'members', by: 'messages' })).map((entry) => entry.id).sort()).toEqual([human, human2].sort());
		await expect(stats.store.reports.overview(guild, { ...week, members: 'robots' as never })).rejects.toThrow(RangeError);
	});

	it('top members stay exact when all-time leaders are not the leaders of the range', async () => {
		const stats = service(() => T0);
		await stats.start();
		const guild = snowflake();
		const channel = snowflake();
		const random = seeded(5);
		const users = Array.from({ length: 400 }, () => snowflake());
		const recent = new Map<string, number>();
		// Veterans: many old messages, a trickle lately. Newcomers: only recent, some of them busy.
		for (let u = 0; u < users.length; u++) {
			const veteran = u < 200;
			const old = veteran ? 50 + Math.floor(random() * 100) : 0;
			const lately = veteran ? Math.floor(random() * 3) : Math.floor(random() * 40);
			for (let i = 0; i < old; i++) stats.recordMessage({ guildId: guild, channelId: channel, userId: users[u], bot: false, at: T0 - 60 * DAY + i * 1000 });
			for (let i = 0; i < lately; i++) stats.recordMessage({ guildId: guild, channelId: channel, userId: users[u], bot: false, at: T0 - DAY + i * 1000 });
			if (lately > 0) recent.set(users[u], lately);
		}
		await stats.flush();
		const expected = [...recent.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 25);
		const top = await stats.store.reports.top(guild, { ...options(T0 - 7 * DAY, T0 + HOUR), target: 'members', by: 'messages', limit: 25 });
		expect(top.map((entry) => [entry.id, entry.value])).toEqual(expected);
		// limit 10: the first 50 candidates are all veterans, so the search has to widen.
		const top10 = await stats.store.reports.top(guild, { ...options(T0 - 7 * DAY, T0 + HOUR), target: 'members', by: 'messages', limit: 10 });
		expect(top10.map((entry) => [entry.id, entry.value])).toEqual(expected.slice(0, 10));
	});

	it('top channels stay exact when all-time leaders are not the leaders of the range', async () => {
		const stats = service(() => T0);
		await stats.start();
		const guild = snowflake();
		const user = snowflake();
		const random = seeded(8);
		const channels = Array.from({ length: 300 }, () => snowflake());
		const recent = new Map<string, number>();
		for (let c = 0; c < channels.length; c++) {
			const busyOnce = c < 150;
			const old = busyOnce ? 100 + Math.floor(random() * 100) : 0;
			const lately = busyOnce ? Math.floor(random() * 2) : Math.floor(random() * 30);
			for (let i = 0; i < old; i++) stats.recordMessage({ guildId: guild, channelId: channels[c], userId: user, bot: false, at: T0 - 40 * DAY });
			for (let i = 0; i < lately; i++) stats.recordMessage({ guildId: guild, channelId: channels[c], userId: user, bot: false, at: T0 - 2 * HOUR });
			if (lately > 0) recent.set(channels[c], lately);
		}
		await stats.flush();
		const expected = [...recent.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
		const top = await stats.store.reports.top(guild, { ...options(T0 - DAY, T0 + HOUR), target: 'channels', by: 'messages', limit: 20 });
		expect(top.map((entry) => [entry.id, entry.value])).toEqual(expected);
		const top5 = await stats.store.reports.top(guild, { ...options(T0 - DAY, T0 + HOUR), target: 'channels', by: 'messages', limit: 5 });
		expect(top5.map((entry) => [entry.id, entry.value])).toEqual(expected.slice(0, 5));
	});

	it('retention: hourly rows past the window are dropped (their days stay), old days are dropped, scheduled guilds purged; idempotent', async () => {
		const now = Date.UTC(2026, 5, 1, 12);
		const stats = service(() => now);
		await stats.start();
		const [guild, leaving, channel, user] = [snowflake(), snowflake(), snowflake(), snowflake()];
		for (const daysAgo of [1, 20, 45, 80]) stats.recordMessage({ guildId: guild, channelId: channel, userId: user, bot: false, at: now - daysAgo * DAY });
		stats.recordMessage({ guildId: leaving, channelId: channel, userId: user, bot: false, at: now - DAY });
		await stats.flush();
		await stats.store.scheduleGuildDeletion(leaving, now - 1);
		expect((await stats.store.getGuildSettings(leaving)).deletionAt).toBe(now - 1);
		const range = options(now - 90 * DAY, now);
		expect((await stats.store.reports.overview(guild, range)).messages).toBe(4);

		const result = await stats.prune({ hourlyDays: 30, dailyDays: 60 });
		expect(result.guildsPurged).toEqual([leaving]);
		expect(result.hourlyRows).toBeGreaterThan(0);
		expect(result.dailyRows).toBeGreaterThan(0);
		const hourly = await rowsOf<{ hour: number }>(store, sql`select hour from stats_message_hourly where guild_id = ${guild} order by hour`);
		expect(hourly.map((row) => Math.floor((now - Number(row.hour) * HOUR) / DAY))).toEqual([20, 1]);
		// 45 days ago survives in the daily rollup; 80 days ago is gone.
		expect((await stats.store.reports.overview(guild, range)).messages).toBe(3);
		expect((await stats.store.reports.overview(guild, options(now - 50 * DAY, now - 40 * DAY))).messages).toBe(1);
		const series = await stats.store.reports.timeSeries(guild, { ...range, bucket: 'day' });
		expect(series.reduce((sum, point) => sum + point.messages, 0)).toBe(3);
		expect((await stats.store.reports.overview(leaving, range)).messages).toBe(0);
		expect((await stats.store.getGuildSettings(leaving)).deletionAt).toBeNull();

		const again = await stats.prune({ hourlyDays: 30, dailyDays: 60 });
		expect(again).toEqual({ hourlyRows: 0, dailyRows: 0, guildsPurged: [] });
		expect((await stats.store.reports.overview(guild, range)).messages).toBe(3);
	});

	it('purgeGuild deletes the guild data now; rejoining cancels a scheduled deletion', async () => {
		const stats = service(() => T0);
		await stats.start();
		const [guild, channel, user] = [snowflake(), snowflake(), snowflake()];
		stats.recordMessage({ guildId: guild, channelId: channel, userId: user, bot: false, at: T0 });
		await stats.flush();
		stats.recordMessage({ guildId: guild, channelId: channel, userId: user, bot: false, at: T0 }); // pending: dropped too
		await stats.purgeGuild(guild);
		await stats.flush();
		expect((await stats.store.reports.overview(guild, options(T0, T0 + HOUR))).messages).toBe(0);
		await stats.store.scheduleGuildDeletion(guild, T0 + DAY);
		await stats.store.cancelGuildDeletion(guild);
		expect((await stats.store.getGuildSettings(guild)).deletionAt).toBeNull();
	});

	it('data versions, flush listeners and metrics', async () => {
		const time = clock(T0);
		const stats = service(time.now);
		await stats.start();
		const [a, b, channel, user] = [snowflake(), snowflake(), snowflake(), snowflake()];
		const seen: string[][] = [];
		const unsubscribe = stats.onFlush((info) => seen.push(info.guildIds));
		stats.recordMessage({ guildId: a, channelId: channel, userId: user, bot: false, at: T0 });
		await stats.flush();
		expect([stats.dataVersion(a), stats.dataVersion(b)]).toEqual([1, 0]);
		stats.recordMessage({ guildId: b, channelId: channel, userId: user, bot: false, at: T0 });
		await Promise.all([stats.flush(), stats.flush()]); // serialized: the second finds nothing left
		expect([stats.dataVersion(a), stats.dataVersion(b)]).toEqual([1, 1]);
		expect(seen).toEqual([[a], [b]]);
		unsubscribe();
		expect(stats.metrics()).toMatchObject({ flushes: 3, failures: 0, pendingRows: 0, lastFlushRows: 0 });
		// Without `at`, events are stamped with the service clock.
		time.set(T0 + 5 * HOUR + 1);
		stats.recordMessage({ guildId: a, channelId: channel, userId: user, bot: false });
		expect(stats.aggregator.drain().messages[0].hour).toBe(T0 / HOUR + 5);
	});

	it('analytics snapshot, daily summary and totals', async () => {
		const fresh = await openTestStore(dialect, 'summary');
		try {
			const day = Date.UTC(2026, 2, 10);
			const time = clock(day + 10 * HOUR);
			const stats = new StatsService({ store: fresh.store, voiceMinSeconds: 0, now: time.now, privacyRefreshMs: 0 });
			await stats.start();
			const [g1, g2, c1, c2, u1, u2] = [snowflake(), snowflake(), snowflake(), snowflake(), snowflake(), snowflake()];
			for (let i = 0; i < 5; i++) stats.recordMessage({ guildId: g1, channelId: c1, userId: u1, bot: false, at: day + 10 * HOUR });
			stats.recordMessage({ guildId: g1, channelId: c2, userId: u2, bot: false, at: day + 10 * HOUR });
			stats.recordMessage({ guildId: g2, channelId: c1, userId: u1, bot: false, at: day + 10 * HOUR });
			stats.recordReaction({ guildId: g1, channelId: c1, userId: u2, authorId: u1, delta: 1, at: day + 10 * HOUR });
			stats.recordMemberJoin({ guildId: g1, userId: u2, at: day + 10 * HOUR });
			stats.recordMemberLeave({ guildId: g2, userId: u2, at: day + 10 * HOUR });
			stats.recordCommand({ guildId: g1, command: 'guildstats', ok: true, durationMs: 30, at: day + 10 * HOUR });
			stats.recordCommand({ guildId: g1, command: 'guildstats', ok: false, durationMs: 30, at: day + 10 * HOUR });
			stats.recordGuildJoin(g2, day + 10 * HOUR);
			stats.onVoiceState(g2, u2, null, { channelId: c2, muted: false, deafened: false, streaming: false }, day + 10 * HOUR);
			stats.onVoiceState(g2, u2, { channelId: c2, muted: false, deafened: false, streaming: false }, null, day + 10 * HOUR + 180_000);
			time.set(day + 10 * HOUR + 200_000);
			await stats.flush();
			const snapshot = await stats.store.summaries.analyticsSnapshot(day, time.now());
			expect(snapshot.guilds.map((guild) => [guild.guildId, guild.messages, guild.activeMembers, guild.commands, guild.voiceMinutes])).toEqual([
				[g1, 6, 2, 2, 0],
				[g2, 1, 2, 0, 3]
			]);
			expect(snapshot.total).toMatchObject({ messages: 7, joins: 1, leaves: 1, commands: 2, commandsFailed: 1, reactions: 1 });
			const flushedAt = time.now();
			time.advance(15 * 60_000);
			expect((await stats.store.summaries.analyticsSnapshot(flushedAt, time.now())).guilds).toEqual([]); // nothing flushed since
			const summary = await stats.store.summaries.dailySummary('2026-03-10');
			expect(summary.overall).toMatchObject({ messages: 7, activeMembers: 2, joins: 1, leaves: 1, commands: 2, commandsFailed: 1, reactions: 1, voiceMinutes: 3 });
			expect(summary.guilds[0]).toMatchObject({ guildId: g1, messages: 6, activeMembers: 2, topChannels: [{ channelId: c1, messages: 5 }, { channelId: c2, messages: 1 }] });
			expect(summary.botGuildJoins).toBe(1);
			expect((await stats.store.summaries.dailySummary('2026-03-11')).guilds).toEqual([]);
			expect(await stats.store.summaries.totals()).toEqual({ messages: 7, reactions: 1, voiceSeconds: 180, joins: 1, leaves: 1, commands: 2 });
		} finally {
			await fresh.dispose();
		}
	});
});
