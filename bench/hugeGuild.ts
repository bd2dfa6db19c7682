// bench/hugeGuild: one huge guild on PostgreSQL — 50,000 active members, ~1,000,000 messages a day,
// 90 days of history — with per-member hourly rows kept for all 90 days (baseline: RETENTION_HOURLY_DAYS
// only, as before) and then rolled up to STATS_MEMBER_HOURLY_DAYS (15), in the same run:
//  a. flush: the real StatsAggregator + StatsStore.applyDeltas at an offered 2,000 events/s (85% messages,
//     10% reactions, 5% voice segments), flushed every BENCH_HUGE_FLUSH_MS; the dirty set (aggregator
//     rows) at each flush shows whether flushing keeps up;
//  b. every /guildstats read (overview, series, top members/channels, server report, member, channel,
//     thread, activity heatmap, voice, growth, role filter, inactive) over 7d / 30d / 90d: p95 of
//     BENCH_HUGE_RUNS runs each, and whether the rollup changed the result (export is left out: it
//     reads every row of the range, ~50k per day here, and is refused above the upload limit);
//  c. disk per day of history (pg_total_relation_size of every store table / days).
// History is generated in SQL on the server (generate_series + deterministic hashes) for the detail
// tables (per member, channel/thread and hour: messages, reactions, voice), and every derived table
// (per member, per channel, per guild, daily, active counts, totals) is computed from them with the
// same rules as a flush: the same rows flushes would have written, without 90 days of flushing.
// Secondary indexes are dropped during the load and rebuilt after it.
// Sizes: BENCH_SCALE (default 1) scales members and messages; BENCH_HUGE_DAYS (90) the history;
// BENCH_HUGE_FLUSH_SECONDS (90) each flush run; BENCH_HUGE_RUNS (12) runs per read, cut short after
// BENCH_HUGE_CASE_SECONDS (10) with at least 3. BENCH_HUGE_KEEP=1 keeps the schema and prints its name;
// BENCH_HUGE_SCHEMA=<name> reuses one that was generated but not rolled up yet. PostgreSQL: BENCH_DATABASE_URL or DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/test (own schema, dropped after).
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { PER_MEMBER_FAMILIES } from '../src/lib/stats/hourlyRollup.js';
import { StatsAggregator } from '../src/lib/stats/StatsAggregator.js';
import { StatsStore } from '../src/lib/stats/StatsStore.js';
import { allTables, tableName } from '../src/lib/stats/statsSchema.js';
import type { ReportOptions } from '../src/lib/stats/statsTypes.js';
import { DAY_MS, HOUR_MS } from '../src/lib/stats/timeBuckets.js';
import { countRows, dropSchema } from '../tests/support/storeSchema.js';

const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const HUGE_GUILD_ID = '950000000000000001';
const TEXT_CHANNELS = 200;
const VOICE_CHANNELS = 20;
/** Distinct active hours per member and day, on average. */
const HOURS_PER_MEMBER_DAY = 3;
const MEMBER_HOURLY_DAYS = 15;

export interface HugeGuildOptions {
	scale?: number;
	days?: number;
	flushSeconds?: number;
	flushMs?: number;
	runs?: number;
	/** Stop sampling a read after this long (at least 3 runs). */
	caseSeconds?: number;
	eventsPerSecond?: number;
	log?: (line: string) => void;
}

const memberId = (m: number) => String(300000000000000000n + BigInt(m));
const rhythm = (hourOfDay: number) => 0.25 + Math.exp(-((hourOfDay - 20) ** 2) / 20) + 0.4 * Math.exp(-((hourOfDay - 13) ** 2) / 8);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const percentile = (samples: number[], p: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * p))]!;
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** A prime stride coprime with `members`: k -> (k * stride + offset) mod members is a permutation. */
function strideFor(members: number): number {
	for (const candidate of [7919, 7927, 7933, 7937, 7949, 104729]) if (gcd(candidate, members) === 1) return candidate;
	return 1;
}

/** Generates the history in SQL, day by day; returns messages written. */
async function generate(client: pg.Client, members: number, messagesPerDay: number, fromDay: number, days: number, log: (line: string) => void): Promise<number> {
	const g = HUGE_GUILD_ID;
	const stride = strideFor(members);
	const rhythmSum = Array.from({ length: 24 }, (_, h) => rhythm(h)).reduce((a, b) => a + b, 0);
	// Member-hours per day, and messages per member-hour (1 + r % span: mean (span + 1) / 2).
	const slotsScale = (HOURS_PER_MEMBER_DAY * members) / rhythmSum;
	const span = Math.max(1, Math.round((2 * messagesPerDay) / (HOURS_PER_MEMBER_DAY * members) - 1));
	const r = (salt: number) => `(hashint8(s.id * 7 + ${salt}) & 2147483647)`;
	let messages = 0;
	const started = performance.now();
	for (let day = fromDay; day < fromDay + days; day++) {
		const h0 = day * 24;
		const h1 = h0 + 24;
		// Slots: distinct members per hour, n(hour) following the daily rhythm.
		const slots = `(select h.hour, k, (h.hour::bigint * 1000003 + k) as id, ((k::bigint * ${stride} + (hashint8(h.hour::bigint) & 2147483647)) % ${members})::int as m
			from (select hour, least(${members}, round(${slotsScale} * (0.25 + exp(-power((hour % 24) - 20, 2) / 20.0) + 0.4 * exp(-power((hour % 24) - 13, 2) / 8.0))))::int as n
				from generate_series(${h0}, ${h1 - 1}) hour) h, generate_series(0, h.n - 1) k)`;
		const channelOf = (salt: number, count: number) => `least(${count - 1}, floor(power(${count}, ${r(salt)} / 2147483648.0))::int - 1)`;
		await client.query(`
			with base as (
				select s.hour, s.m, 1 + ${r(1)} % ${span} as msgs, ${channelOf(2, TEXT_CHANNELS)} as c1, (${r(3)} % 10) < 3 as split, ${r(4)} as r4, (${r(5)} % 20) = 0 as t from ${slots} s
			), x as (
				select hour, m, c1 as c, t, case when split and msgs >= 2 then ceil(msgs * 0.6)::int else msgs end as n from base
				union all
				select hour, m, (c1 + 1 + r4 % ${TEXT_CHANNELS - 1}) % ${TEXT_CHANNELS}, false, msgs - ceil(msgs * 0.6)::int from base where split and msgs >= 2
			)
			insert into stats_message_hourly (guild_id, hour, channel_id, thread_id, user_id, bot, messages)
			select '${g}', hour, (400000000000000000 + c)::text as channel_id, case when c < 20 and t then (410000000000000000 + c)::text else '' end as thread_id,
				(300000000000000000 + m)::text as user_id, (m % 100 = 99)::int, n
			from x order by hour, channel_id, thread_id, user_id`);
		// Reactions (15% of member-hours) and voice (8%): other members of the same hour (offset slots).
		await client.query(`
			insert into stats_reaction_hourly (guild_id, hour, channel_id, user_id, bot, given, received)
			select '${g}', s.hour, (400000000000000000 + ${channelOf(6, TEXT_CHANNELS)})::text, (300000000000000000 + s.m)::text, (s.m % 100 = 99)::int, 1 + ${r(7)} % 3, ${r(8)} % 3
			from ${slots} s where ${r(9)} % 100 < 15 on conflict do nothing`);
		await client.query(`
			insert into stats_voice_hourly (guild_id, hour, channel_id, user_id, bot, seconds, muted_seconds, deafened_seconds, streaming_seconds, sessions)
			select '${g}', hour, (420000000000000000 + v)::text, (300000000000000000 + m)::text, (m % 100 = 99)::int, sec, case when q % 3 = 0 then sec / 2 else 0 end, case when q % 10 = 0 then sec / 4 else 0 end, case when q % 10 = 1 then sec else 0 end, q % 2
			from (select s.hour, (s.m + 1) % ${members} as m, ${channelOf(10, VOICE_CHANNELS)} as v, 300 + ${r(11)} % 3300 as sec, ${r(12)} as q from ${slots} s where ${r(13)} % 100 < 8) v
			on conflict do nothing`);
		const range = `guild_id = '${g}' and hour >= ${h0} and hour < ${h1}`;
		await client.query(`
			insert into stats_member_hourly (guild_id, hour, user_id, bot, messages, voice_seconds, reactions_given, reactions_received)
			select guild_id, hour, user_id, max(bot), sum(messages), sum(voice_seconds), sum(given), sum(received) from (
				select guild_id, hour, user_id, bot, messages, 0 as voice_seconds, 0 as given, 0 as received from stats_message_hourly where ${range}
				union all select guild_id, hour, user_id, bot, 0, seconds, 0, 0 from stats_voice_hourly where ${range}
				union all select guild_id, hour, user_id, bot, 0, 0, given, received from stats_reaction_hourly where ${range}
			) s group by guild_id, hour, user_id order by 1, 2, 3`);
		await client.query(`
			insert into stats_channel_hourly (guild_id, hour, channel_id, bot, messages, voice_seconds, reactions)
			select guild_id, hour, channel_id, bot, sum(messages), sum(voice_seconds), sum(given) from (
				select guild_id, hour, channel_id, bot, messages, 0 as voice_seconds, 0 as given from stats_message_hourly where ${range}
				union all select guild_id, hour, channel_id, bot, 0, seconds, 0 from stats_voice_hourly where ${range}
				union all select guild_id, hour, channel_id, bot, 0, 0, given from stats_reaction_hourly where ${range} and given <> 0
			) s group by guild_id, hour, channel_id, bot order by 1, 2, 3, 4`);
		await client.query(`
			insert into stats_guild_hourly (guild_id, hour, bot, messages, voice_seconds, voice_muted_seconds, voice_deafened_seconds, voice_streaming_seconds, voice_sessions, reactions, joins, leaves, active_members)
			select '${g}', h.hour, b.bot, coalesce(m.messages, 0), coalesce(v.seconds, 0), coalesce(v.muted, 0), coalesce(v.deafened, 0), coalesce(v.streaming, 0), coalesce(v.sessions, 0), coalesce(m.given, 0),
				case when b.bot = 0 then 5 + hashint8(h.hour::bigint) % 5 else 0 end, case when b.bot = 0 then 2 + hashint8(h.hour::bigint + 1) % 3 else 0 end, coalesce(m.active, 0)
			from generate_series(${h0}, ${h1 - 1}) h(hour) cross join (values (0), (1)) b(bot)
			left join (select hour, bot, sum(messages) as messages, sum(reactions_given) as given,
					count(*) filter (where messages > 0 or voice_seconds > 0 or reactions_given > 0) as active
				from stats_member_hourly where ${range} group by hour, bot) m on m.hour = h.hour and m.bot = b.bot
			left join (select hour, bot, sum(seconds) as seconds, sum(muted_seconds) as muted, sum(deafened_seconds) as deafened, sum(streaming_seconds) as streaming, sum(sessions) as sessions
				from stats_voice_hourly where ${range} group by hour, bot) v on v.hour = h.hour and v.bot = b.bot`);
		// Daily rows: the same sums per UTC day.
		const byDay = (table: string, keys: string, flags: string, sums: string[]) =>
			client.query(`insert into stats_${table}_daily (guild_id, day, ${keys}${flags ? `, ${flags}` : ''}, ${sums.join(', ')})
				select guild_id, ${day}, ${keys}${flags ? `, max(${flags})` : ''}, ${sums.map((column) => `sum(${column})`).join(', ')}
				from stats_${table}_hourly where ${range} group by guild_id, ${keys} order by ${keys}`);
		await byDay('message', 'channel_id, thread_id, user_id', 'bot', ['messages']);
		await byDay('reaction', 'channel_id, user_id', 'bot', ['given', 'received']);
		await byDay('voice', 'channel_id, user_id', 'bot', ['seconds', 'muted_seconds', 'deafened_seconds', 'streaming_seconds', 'sessions']);
		await byDay('member', 'user_id', 'bot', ['messages', 'voice_seconds', 'reactions_given', 'reactions_received']);
		await byDay('channel', 'channel_id, bot', '', ['messages', 'voice_seconds', 'reactions']);
		await client.query(`
			insert into stats_guild_daily (guild_id, day, bot, messages, voice_seconds, voice_muted_seconds, voice_deafened_seconds, voice_streaming_seconds, voice_sessions, reactions, joins, leaves, active_members)
			select g.guild_id, ${day}, g.bot, sum(messages), sum(voice_seconds), sum(voice_muted_seconds), sum(voice_deafened_seconds), sum(voice_streaming_seconds), sum(voice_sessions), sum(reactions), sum(joins), sum(leaves),
				(select count(*) from stats_member_daily m where m.guild_id = g.guild_id and m.day = ${day} and m.bot = g.bot and (m.messages > 0 or m.voice_seconds > 0 or m.reactions_given > 0))
			from stats_guild_hourly g where ${range.replace('guild_id', 'g.guild_id').replace(/hour/g, 'g.hour')} group by g.guild_id, g.bot`);
		await client.query(`insert into stats_guild_local_daily (guild_id, local_day, bot, active_members) select guild_id, day, bot, active_members from stats_guild_daily where guild_id = '${g}' and day = ${day}`);
		const { rows } = await client.query(`select coalesce(sum(messages), 0) as n from stats_guild_daily where guild_id = '${g}' and day = ${day}`);
		messages += Number(rows[0].n);
		const done = day - fromDay + 1;
		if (done % 10 === 0 || done === days) log(`  generated ${done}/${days} days (${((performance.now() - started) / 1000).toFixed(0)} s)`);
	}
	await client.query(`
		insert into stats_member_totals (guild_id, user_id, bot, last_at, voice_last_at, messages, voice_seconds, reactions_added)
		select guild_id, user_id, max(bot), max(hour)::bigint * ${HOUR_MS} + 1800000, coalesce(max(hour) filter (where voice_seconds > 0), 0)::bigint * ${HOUR_MS} + 1800000,
			sum(messages), sum(voice_seconds), sum(reactions_given)
		from stats_member_hourly where guild_id = '${g}' group by guild_id, user_id`);
	await client.query(`
		insert into stats_channel_totals (guild_id, channel_id, last_at, messages, voice_seconds, reactions_added)
		select guild_id, channel_id, max(hour)::bigint * ${HOUR_MS} + 1800000, sum(messages), sum(voice_seconds), sum(reactions)
		from stats_channel_hourly where guild_id = '${g}' group by guild_id, channel_id`);
	return messages;
}

/** Disk per store table (heap + indexes + TOAST). */
async function tableSizes(client: pg.Client, schema: string): Promise<Map<string, number>> {
	const sizes = new Map<string, number>();
	for (const table of allTables()) {
		const { rows } = await client.query(`select pg_total_relation_size(format('%I.%I', $1::text, $2::text)::regclass) as bytes`, [schema, table]);
		sizes.set(table, Number(rows[0].bytes));
	}
	return sizes;
}

interface FlushRun {
	offered: number;
	sustained: number;
	flushes: { dirty: number; rows: number; ms: number }[];
	pendingAtEnd: number;
}

/**
 * Offered load: `rate` events/s recorded on a timer (catching up on elapsed time, so a busy event
 * loop does not lower it); a flush every `flushMs` drains the aggregator and applies the deltas,
 * as StatsService does (a flush that overruns starts the next one at once).
 */
async function flushLoad(store: StatsStore, members: number, rate: number, seconds: number, flushMs: number): Promise<FlushRun> {
	const aggregator = new StatsAggregator();
	let seed = 12345;
	const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
	const zipf = (count: number) => Math.min(count - 1, Math.floor(count ** random()) - 1);
	const began = Date.now();
	let emitted = 0;
	const emit = () => {
		const now = Date.now();
		const due = Math.min(rate * seconds, Math.floor(((now - began) / 1000) * rate));
		for (; emitted < due; emitted++) {
			const m = Math.floor(random() * members);
			const userId = memberId(m);
			const bot = m % 100 === 99;
			const roll = random();
			if (roll < 0.85) {
				aggregator.recordMessage({ guildId: HUGE_GUILD_ID, channelId: String(400000000000000000n + BigInt(zipf(TEXT_CHANNELS))), userId, bot, at: now });
			} else if (roll < 0.95) {
				const author = memberId(Math.floor(random() * members));
				aggregator.recordReaction({ guildId: HUGE_GUILD_ID, channelId: String(400000000000000000n + BigInt(zipf(TEXT_CHANNELS))), userId, bot, authorId: author, delta: 1, at: now });
			} else {
				const toSec = Math.floor(now / 1000);
				aggregator.recordVoice({
					guildId: HUGE_GUILD_ID,
					channelId: String(420000000000000000n + BigInt(zipf(VOICE_CHANNELS))),
					userId,
					bot,
					fromSec: toSec - 60,
					toSec,
					muted: false,
					deafened: false,
					streaming: false,
					sessionStart: false
				});
			}
		}
	};
	const timer = setInterval(emit, 20);
	const flushes: FlushRun['flushes'] = [];
	let flushedEvents = 0;
	try {
		let next = began + flushMs;
		while (Date.now() - began < seconds * 1000) {
			const wait = next - Date.now();
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
			emit();
			next = Math.max(Date.now(), next) + flushMs;
			const events = aggregator.pendingEvents;
			const dirty = aggregator.size;
			const deltas = aggregator.drain();
			const started = performance.now();
			const result = await store.applyDeltas(deltas, Date.now());
			flushes.push({ dirty, rows: result.writtenRows, ms: performance.now() - started });
			flushedEvents += events;
		}
	} finally {
		clearInterval(timer);
	}
	// Offered over the load window; sustained = events written / time until the last flush committed.
	return { offered: emitted / seconds, sustained: flushedEvents / ((Date.now() - began) / 1000), flushes, pendingAtEnd: aggregator.size };
}

type Case = [name: string, run: () => Promise<unknown>];

/**
 * Reads that never touch per-member hourly rows: identical before and after the rollup at any range.
 * (The overview is not one: its previous period's active members are counted from per-member rows.)
 */
const GUILD_LEVEL = ['series', 'top channels', 'activity heatmap', 'growth', 'inactive (last activity)'];

function reportCases(store: StatsStore, now: number): { range: string; cases: Case[] }[] {
	const endHour = (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
	const role = Array.from({ length: 5000 }, (_, index) => memberId(index * 10 + 3));
	return (['7d', '30d', '90d'] as const).map((label) => {
		const days = Number(label.slice(0, -1));
		const options: ReportOptions = { range: { from: endHour - days * DAY_MS, to: endHour }, bucket: days <= 7 ? 'hour' : 'day', timezone: 'UTC', members: 'humans' };
		const roleOptions = { ...options, userIds: role };
		return {
			range: label,
			cases: [
				['server (overview+series+top)', () => store.reports.serverReport(HUGE_GUILD_ID, options)],
				['overview', () => store.reports.overview(HUGE_GUILD_ID, options)],
				['series', () => store.reports.timeSeries(HUGE_GUILD_ID, options)],
				['top members', () => store.reports.top(HUGE_GUILD_ID, { ...options, target: 'members', by: 'messages' })],
				['top channels', () => store.reports.top(HUGE_GUILD_ID, { ...options, target: 'channels', by: 'messages' })],
				['member', () => store.reports.memberStats(HUGE_GUILD_ID, memberId(4242), options)],
				['channel', () => store.reports.channelStats(HUGE_GUILD_ID, String(400000000000000000n), options)],
				['thread', () => store.reports.channelStats(HUGE_GUILD_ID, String(410000000000000000n), options)],
				['activity heatmap', () => store.reports.heatmap(HUGE_GUILD_ID, options)],
				['voice', () => store.reports.voiceStats(HUGE_GUILD_ID, options)],
				['growth', () => store.reports.growth(HUGE_GUILD_ID, options)],
				['role 5k: overview', () => store.reports.overview(HUGE_GUILD_ID, roleOptions)],
				['role 5k: series', () => store.reports.timeSeries(HUGE_GUILD_ID, roleOptions)],
				['role 5k: heatmap', () => store.reports.heatmap(HUGE_GUILD_ID, roleOptions)],
				['inactive (last activity)', () => store.reports.lastActivity(HUGE_GUILD_ID)]
			]
		};
	});
}

interface QueryPhase {
	p95: Map<string, number>;
	results: Map<string, string>;
}

async function queryPhase(store: StatsStore, now: number, runs: number, caseSeconds: number): Promise<QueryPhase> {
	const p95 = new Map<string, number>();
	const results = new Map<string, string>();
	for (const { range, cases } of reportCases(store, now)) {
		for (const [name, run] of cases) {
			const key = `${range} ${name}`;
			const first = await run();
			results.set(key, JSON.stringify(first, (_k, value) => (value instanceof Map ? [...value.entries()] : value)));
			const samples: number[] = [];
			const began = performance.now();
			for (let i = 0; i < runs && (i < 3 || performance.now() - began < caseSeconds * 1000); i++) {
				const started = performance.now();
				await run();
				samples.push(performance.now() - started);
			}
			p95.set(key, percentile(samples, 0.95));
		}
	}
	return { p95, results };
}

async function rebuildIndexes(client: pg.Client, definitions: string[]): Promise<void> {
	for (const definition of definitions) await client.query(definition);
}

export interface HugeGuildResult {
	messages: number;
	/** Report keys whose results differ after the rollup. */
	changed: string[];
	rolledRows: number;
	perMemberHourlyBelowFloor: number;
	maxP95Rolled: number;
}

export async function runHugeGuild(options: HugeGuildOptions = {}): Promise<HugeGuildResult> {
	const log = options.log ?? ((line: string) => console.log(line));
	const scale = options.scale ?? Number(process.env.BENCH_SCALE ?? 1);
	const days = options.days ?? Number(process.env.BENCH_HUGE_DAYS ?? 90);
	const flushSeconds = options.flushSeconds ?? Number(process.env.BENCH_HUGE_FLUSH_SECONDS ?? 90);
	const flushMs = options.flushMs ?? Number(process.env.BENCH_HUGE_FLUSH_MS ?? 15_000);
	const runs = options.runs ?? Number(process.env.BENCH_HUGE_RUNS ?? 12);
	const caseSeconds = options.caseSeconds ?? Number(process.env.BENCH_HUGE_CASE_SECONDS ?? 10);
	const reuse = process.env.BENCH_HUGE_SCHEMA;
	const keep = process.env.BENCH_HUGE_KEEP === '1';
	const rate = options.eventsPerSecond ?? Math.max(1, Math.round(2000 * Math.min(1, scale * 10)));
	const members = Math.max(100, Math.round(50_000 * scale));
	const messagesPerDay = Math.max(1000, Math.round(1_000_000 * scale));
	const schema = reuse ?? `bench_huge_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
	const now = Date.now();
	const today = Math.floor(now / DAY_MS);
	// History: the `days` whole UTC days before today (the flush runs add today's hours).
	const fromDay = today - days;
	const store = await StatsStore.open({ databaseUrl: PG_URL, sqlitePath: '', schema, poolSize: 4 });
	const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
	await client.connect();
	try {
		log(`Huge guild on PostgreSQL: ${members.toLocaleString('en-US')} members, ~${messagesPerDay.toLocaleString('en-US')} messages/day, ${days} days, ${TEXT_CHANNELS} text / ${VOICE_CHANNELS} voice channels (BENCH_SCALE=${scale})`);
		await client.query(`set synchronous_commit = off; set maintenance_work_mem = '256MB'; set work_mem = '64MB'`);
		const existing = await client.query(`select count(*) as n from stats_guild_daily where guild_id = $1`, [HUGE_GUILD_ID]);
		const reused = reuse !== undefined && Number(existing.rows[0].n) > 0;
		const { rows: indexRows } = await client.query(
			`select indexname, indexdef from pg_indexes where schemaname = $1 and tablename like 'stats\\_%' and indexname not like '%\\_pk' and indexname not like 'stats\\_meta%' and indexname not like 'stats\\_flush%'`,
			[schema]
		);
		const genStarted = performance.now();
		let messages: number;
		if (reused) {
			const sum = await client.query(`select coalesce(sum(messages), 0) as n from stats_guild_daily where guild_id = $1 and day >= $2 and day < $3`, [HUGE_GUILD_ID, fromDay, today]);
			messages = Number(sum.rows[0].n);
			log(`  reusing schema ${schema}`);
		} else {
			for (const row of indexRows) await client.query(`drop index "${row.indexname}"`);
			messages = await generate(client, members, messagesPerDay, fromDay, days, log);
			await rebuildIndexes(client, indexRows.map((row) => row.indexdef as string));
			for (const table of allTables()) await client.query(`vacuum analyze "${table}"`);
		}
		const genSeconds = (performance.now() - genStarted) / 1000;
		const memberHourlyTotal = await countRows(store, 'stats_member_hourly');
		const messageHourlyTotal = await countRows(store, 'stats_message_hourly');
		log(
			`  ${messages.toLocaleString('en-US')} messages (${Math.round(messages / days).toLocaleString('en-US')}/day); stats_message_hourly ${messageHourlyTotal.toLocaleString('en-US')} rows, stats_member_hourly ${memberHourlyTotal.toLocaleString('en-US')} rows; generated in ${genSeconds.toFixed(0)} s (SQL on the server, indexes rebuilt after)`
		);

		// Baseline: per-member hourly rows for the whole history (RETENTION_HOURLY_DAYS = 90, no rollup).
		log(`\n(a) flush at an offered ${rate.toLocaleString('en-US')} events/s for ${flushSeconds} s, every ${flushMs / 1000} s — baseline (no rollup, ${days} days of per-member hourly rows):`);
		const flushBefore = await flushLoad(store, members, rate, flushSeconds, flushMs);
		printFlush(flushBefore, flushMs, log);
		const sizesBefore = await tableSizes(client, schema);
		log(`\n(b) report queries, baseline (${runs} runs each after one warm-up, fewer (>= 3) past ${caseSeconds} s)…`);
		const before = await queryPhase(store, now, runs, caseSeconds);

		const rollupStarted = performance.now();
		const rollup = await store.rollupMemberHourly({ memberHourlyDays: MEMBER_HOURLY_DAYS, now });
		const rollupSeconds = (performance.now() - rollupStarted) / 1000;
		const vacuumStarted = performance.now();
		for (const family of PER_MEMBER_FAMILIES) await client.query(`vacuum full analyze ${tableName(family, 'hourly')}`);
		const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
		log(
			`\nRollup to STATS_MEMBER_HOURLY_DAYS=${MEMBER_HOURLY_DAYS}: ${rollup.rows.toLocaleString('en-US')} per-member hourly rows deleted in ${rollupSeconds.toFixed(1)} s (${rollup.statements} statements of <= 10k rows); VACUUM FULL of those 4 tables ${vacuumSeconds.toFixed(1)} s (in production, autovacuum lets new rows reuse the space instead)`
		);
		const after = await queryPhase(store, now, runs, caseSeconds);
		const sizesAfter = await tableSizes(client, schema);
		log(`(a) flush, rolled up (${MEMBER_HOURLY_DAYS} days of per-member hourly rows):`);
		const flushAfter = await flushLoad(store, members, rate, flushSeconds, flushMs);
		printFlush(flushAfter, flushMs, log);
		const medianFlush = (run: FlushRun) => percentile(run.flushes.map((flush) => flush.ms), 0.5);
		log(`  flush p50 baseline ${ms(medianFlush(flushBefore))} vs rolled ${ms(medianFlush(flushAfter))}: ratio ${(medianFlush(flushAfter) / medianFlush(flushBefore)).toFixed(2)}x`);

		log(`\n(b) report queries p95 (ms), up to ${runs} runs; target <= 100 ms. ratio = rolled / baseline; "same" = identical result`);
		log(`  ${'report'.padEnd(36)} ${'baseline'.padStart(9)} ${'rolled'.padStart(9)} ${'ratio'.padStart(6)}  same`);
		const changed: string[] = [];
		let maxRolled = 0;
		let maxBefore = 0;
		for (const [key, p95] of after.p95) {
			const base = before.p95.get(key)!;
			const same = before.results.get(key) === after.results.get(key);
			if (!same) changed.push(key);
			maxRolled = Math.max(maxRolled, p95);
			maxBefore = Math.max(maxBefore, base);
			log(`  ${key.padEnd(36)} ${base.toFixed(1).padStart(9)} ${p95.toFixed(1).padStart(9)} ${(p95 / base).toFixed(2).padStart(6)}  ${same ? 'yes' : 'no'}`);
		}
		log(`  worst p95: baseline ${ms(maxBefore)}, rolled ${ms(maxRolled)}${maxRolled <= 100 ? ' (within 100 ms)' : ' (ABOVE 100 ms)'}`);
		log(`  results changed by the rollup: ${changed.length === 0 ? 'none' : changed.join('; ')}`);
		// Hour-bucketed (7d) reports and every guild-level read must not change; longer ranges' per-member
		// reads take their first, partial day whole, and a role's heatmap keeps 15 days of hours.
		const mustKeep = (key: string) => key.startsWith('7d ') || GUILD_LEVEL.includes(key.slice(key.indexOf(' ') + 1));
		const broken = changed.filter(mustKeep);

		const historyDays = days;
		log(`\n(c) disk (pg_total_relation_size, heap + indexes) over ${historyDays} days of history:`);
		log(`  ${'table'.padEnd(28)} ${'baseline'.padStart(11)} ${'rolled'.padStart(11)}`);
		let totalBefore = 0;
		let totalAfter = 0;
		for (const table of allTables()) {
			const b = sizesBefore.get(table)!;
			const a = sizesAfter.get(table)!;
			totalBefore += b;
			totalAfter += a;
			if (b > 1024 * 1024 || a > 1024 * 1024) log(`  ${table.padEnd(28)} ${mib(b).padStart(11)} ${mib(a).padStart(11)}`);
		}
		const perMemberHourly = (sizes: Map<string, number>) => PER_MEMBER_FAMILIES.reduce((sum, family) => sum + sizes.get(tableName(family, 'hourly'))!, 0);
		const marginal = (totalAfter - perMemberHourly(sizesAfter)) / historyDays;
		log(`  total: baseline ${mib(totalBefore)} = ${mib(totalBefore / historyDays)} per day of history; rolled ${mib(totalAfter)} = ${mib(totalAfter / historyDays)} per day; ratio ${(totalAfter / totalBefore).toFixed(2)}x`);
		log(
			`  rolled steady state: ${mib(perMemberHourly(sizesAfter))} for the ${MEMBER_HOURLY_DAYS}-day per-member hourly window (${mib(perMemberHourly(sizesAfter) / Math.min(historyDays, MEMBER_HOURLY_DAYS + 1))}/day) + ${mib(marginal)} per day of history (daily tables, server/channel hourly); baseline ${mib(totalBefore / historyDays)} per day`
		);
		const below = await sql<{ n: number }>`select count(*) as n from stats_member_hourly where hour < ${rollup.floorHour}`.execute(store.db);
		if (broken.length > 0 || Number(below.rows[0]!.n) > 0) throw new Error(`rollup changed results it must keep (${broken.join('; ')}) or left ${below.rows[0]!.n} rows below the floor`);
		return { messages, changed, rolledRows: rollup.rows, perMemberHourlyBelowFloor: Number(below.rows[0]!.n), maxP95Rolled: maxRolled };
	} finally {
		await client.end().catch(() => undefined);
		await store.close();
		if (keep) log(`(schema ${schema} kept)`);
		else await dropSchema(schema, PG_URL).catch(() => undefined);
	}
}

function printFlush(run: FlushRun, flushMs: number, log: (line: string) => void): void {
	log(`  dirty rows at each flush: ${run.flushes.map((flush) => flush.dirty.toLocaleString('en-US')).join(', ')}; left at the end: ${run.pendingAtEnd.toLocaleString('en-US')}`);
	log(`  flush ms: ${run.flushes.map((flush) => flush.ms.toFixed(0)).join(', ')} (interval ${flushMs} ms); table rows written per flush ~${Math.round(percentile(run.flushes.map((flush) => flush.rows), 0.5)).toLocaleString('en-US')}`);
	const dirty = run.flushes.map((flush) => flush.dirty);
	const half = Math.max(1, Math.floor(dirty.length / 2));
	const firstHalf = dirty.slice(0, half).reduce((a, b) => a + b, 0) / half;
	const secondHalf = dirty.slice(half).reduce((a, b) => a + b, 0) / Math.max(1, dirty.length - half);
	const busiest = Math.max(...run.flushes.map((flush) => flush.ms));
	log(
		`  offered ${run.offered.toFixed(0)} events/s, sustained ${run.sustained.toFixed(0)} events/s; dirty set ${secondHalf <= firstHalf * 1.1 ? 'flat' : 'GROWING'} (mean of 1st half ${firstHalf.toFixed(0)}, 2nd half ${secondHalf.toFixed(0)}); slowest flush ${ms(busiest)} = ${((busiest / flushMs) * 100).toFixed(0)}% of the interval`
	);
}


export async function run(): Promise<void> {
	await runHugeGuild();
}

// `npx tsx bench/hugeGuild.ts` runs it alone (bench/run.ts imports it and calls run()).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
