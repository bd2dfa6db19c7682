// bench/flush: the statistics write path and the report queries.
//  1. 50k dirty counters flushed incrementally (what StatsService does) vs rewriting every counter
//     of the state they belong to (500k rows: the design that keeps all counters and saves them all).
//  2. Time to flush 10k dirty rows on SQLite and on PostgreSQL (one transaction, all derived tables).
//  3. /guildstats query times on a generated guild (10k members, 500 channels, 90 days hourly) on SQLite.
// PostgreSQL: BENCH_DATABASE_URL or DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test (own schema, dropped).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StatsStore } from '../src/lib/stats/StatsStore.js';
import { emptyDeltas, type StatsDeltas } from '../src/lib/stats/statsTypes.js';
import type { ReportOptions } from '../src/lib/stats/statsTypes.js';
import { HOUR_MS } from '../src/lib/stats/timeBuckets.js';
import { countRows, dropSchema } from '../tests/support/storeSchema.js';
import { LARGE_GUILD_ID, seedLargeGuild } from './support/largeGuild.js';

const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LARGE_GUILD_VERSION = 'large-guild-v3';
const END = Date.UTC(2026, 5, 1);

/** `count` distinct message counters (one guild, 500 channels, many members) in one hour. */
function messageDeltas(count: number, hour: number, offset = 0, increment = 1): StatsDeltas {
	const deltas = emptyDeltas();
	for (let i = 0; i < count; i++) {
		const n = i + offset;
		deltas.messages.push({
			guildId: '800000000000000001',
			channelId: String(810000000000000000n + BigInt(n % 500)),
			threadId: '',
			userId: String(820000000000000000n + BigInt(Math.floor(n / 500))),
			hour,
			bot: false,
			messages: increment,
			lastAt: hour * HOUR_MS + 1000
		});
	}
	return deltas;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

function percentile(samples: number[], p: number): number {
	const sorted = [...samples].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
	const start = performance.now();
	const value = await fn();
	return [performance.now() - start, value];
}

/** CPU time of this process (SQLite runs in-process) and wall time: the machine is shared, so CPU is the figure. */
async function cpuTimed<T>(fn: () => Promise<T>): Promise<{ cpuMs: number; wallMs: number; value: T }> {
	const cpu = process.cpuUsage();
	const start = performance.now();
	const value = await fn();
	const used = process.cpuUsage(cpu);
	return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - start, value };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function incrementalVsRewrite(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-flush-'));
	const store = await StatsStore.open({ sqlitePath: join(dir, 'stats.sqlite') });
	try {
		const hour = Math.floor(END / HOUR_MS) - 1;
		const TOTAL = 500_000;
		const DIRTY = 50_000;
		const ROUNDS = Number(process.env.BENCH_FLUSH_ROUNDS ?? 3);
		// The state: 500k counters already stored.
		for (let offset = 0; offset < TOTAL; offset += 50_000) await store.applyDeltas(messageDeltas(50_000, hour, offset), END);
		const incremental: { cpuMs: number; wallMs: number }[] = [];
		const rewrite: { cpuMs: number; wallMs: number }[] = [];
		let result: Awaited<ReturnType<StatsStore['applyDeltas']>> | undefined;
		// Interleaved rounds; each round changes a different 50k of the stored counters.
		for (let round = 0; round < ROUNDS; round++) {
			const inc = await cpuTimed(() => store.applyDeltas(messageDeltas(DIRTY, hour, (123_456 + round * 97_531) % (TOTAL - DIRTY)), END));
			incremental.push(inc);
			result = inc.value;
			rewrite.push(await cpuTimed(() => store.applyDeltas(messageDeltas(TOTAL, hour, 0, 0), END)));
		}
		const cpuRatio = median(rewrite.map((r, i) => r.cpuMs / incremental[i]!.cpuMs));
		const wallRatio = median(rewrite.map((r, i) => r.wallMs / incremental[i]!.wallMs));
		console.log(`SQLite, ${TOTAL / 1000}k counters stored, ${DIRTY / 1000}k changed since the last flush (median of ${ROUNDS} interleaved rounds):`);
		console.log(`  incremental flush (dirty rows only): ${ms(median(incremental.map((r) => r.cpuMs)))} CPU, ${ms(median(incremental.map((r) => r.wallMs)))} wall (${result!.statements} statements, ${result!.writtenRows} table rows incl. derived)`);
		console.log(`  rewriting all ${TOTAL / 1000}k counters:        ${ms(median(rewrite.map((r) => r.cpuMs)))} CPU, ${ms(median(rewrite.map((r) => r.wallMs)))} wall`);
		console.log(`  ratio: incremental is ${cpuRatio.toFixed(1)}x faster by CPU time (${wallRatio.toFixed(1)}x by wall time; target >= 10x)`);
	} finally {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function flush10k(store: StatsStore, label: string): Promise<void> {
	const hour = Math.floor(END / HOUR_MS) - 1;
	await store.applyDeltas(messageDeltas(10_000, hour, 0), END); // warm-up (creates the rows)
	const samples: number[] = [];
	let statements = 0;
	let written = 0;
	for (let round = 1; round <= 6; round++) {
		const [elapsed, result] = await timed(() => store.applyDeltas(messageDeltas(10_000, hour, round * 7_919), END));
		samples.push(elapsed);
		statements = result.statements;
		written = result.writtenRows;
	}
	console.log(
		`  ${label.padEnd(10)} 10k dirty rows: p50 ${ms(percentile(samples, 0.5))}, max ${ms(Math.max(...samples))} (${statements} statements, ${written} table rows incl. derived, one transaction)`
	);
}

async function flushBothDialects(): Promise<void> {
	console.log('Time to flush 10k dirty rows:');
	const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-flush-'));
	const sqlite = await StatsStore.open({ sqlitePath: join(dir, 'stats.sqlite') });
	try {
		await flush10k(sqlite, 'SQLite');
	} finally {
		await sqlite.close();
		rmSync(dir, { recursive: true, force: true });
	}
	const schema = `bench_flush_${process.pid}`;
	let postgres: StatsStore | null = null;
	try {
		postgres = await StatsStore.open({ databaseUrl: PG_URL, sqlitePath: '', schema });
		await flush10k(postgres, 'PostgreSQL');
	} catch (error) {
		console.log(`  PostgreSQL skipped: ${(error as Error).message}`);
	} finally {
		await postgres?.close();
		await dropSchema(schema, PG_URL).catch(() => undefined);
	}
}


async function reportQueries(): Promise<void> {
	const dir = join(tmpdir(), 'nexus-bench');
	mkdirSync(dir, { recursive: true });
	const path = join(dir, `stats-${LARGE_GUILD_VERSION}.sqlite`);
	let store = await StatsStore.open({ sqlitePath: path });
	if ((await store.meta.get('bench_fixture')) !== LARGE_GUILD_VERSION) {
		await store.close();
		for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
		store = await StatsStore.open({ sqlitePath: path });
		const [elapsed, info] = await timed(() => seedLargeGuild(store, { endAt: END, timezone: 'America/New_York' }));
		await store.meta.set('bench_fixture', LARGE_GUILD_VERSION);
		console.log(`Generated the large guild in ${(elapsed / 1000).toFixed(1)} s (${info.messages} messages, ${info.deltaRows} delta rows); cached at ${path}`);
	}
	try {
		const shape = await Promise.all(['stats_message_hourly', 'stats_member_hourly', 'stats_member_daily', 'stats_channel_hourly', 'stats_member_totals'].map(async (table) => `${table} ${await countRows(store, table)}`));
		console.log(`Report queries, SQLite, guild of 10k members / 500 channels / 90 days hourly (${shape.join(', ')}):`);
		const base: ReportOptions = { range: { from: END - 90 * 86_400_000, to: END }, bucket: 'day', timezone: 'America/New_York', members: 'both' };
		const cases: [string, () => Promise<unknown>][] = [
			['server overview, 90 days', () => store.reports.overview(LARGE_GUILD_ID, base)],
			['server overview, 7 days', () => store.reports.overview(LARGE_GUILD_ID, { ...base, range: { from: END - 7 * 86_400_000, to: END } })],
			['server overview, humans', () => store.reports.overview(LARGE_GUILD_ID, { ...base, members: 'humans' })],
			['time series, 90 days by day', () => store.reports.timeSeries(LARGE_GUILD_ID, base)],
			['time series, 24 h by hour', () => store.reports.timeSeries(LARGE_GUILD_ID, { ...base, bucket: 'hour', range: { from: END - 86_400_000, to: END } })],
			['top members, 90 days', () => store.reports.top(LARGE_GUILD_ID, { ...base, target: 'members', by: 'messages' })],
			['top channels, 90 days', () => store.reports.top(LARGE_GUILD_ID, { ...base, target: 'channels', by: 'messages' })],
			['whole server report, 90 days', () => store.reports.serverReport(LARGE_GUILD_ID, base)],
			['activity heatmap, 90 days', () => store.reports.heatmap(LARGE_GUILD_ID, base)],
			['member stats, 90 days', () => store.reports.memberStats(LARGE_GUILD_ID, '300000000000000000', base)],
			['voice stats, 90 days', () => store.reports.voiceStats(LARGE_GUILD_ID, base)],
			['growth, 90 days', () => store.reports.growth(LARGE_GUILD_ID, base)]
		];
		for (const [name, run] of cases) {
			for (let i = 0; i < 3; i++) await run();
			const samples: number[] = [];
			for (let i = 0; i < 40; i++) samples.push((await timed(run))[0]);
			console.log(`  ${name.padEnd(30)} p50 ${ms(percentile(samples, 0.5)).padStart(9)}   p95 ${ms(percentile(samples, 0.95)).padStart(9)}`);
		}
		const overview = await store.reports.overview(LARGE_GUILD_ID, base);
		console.log(`  (overview: ${overview.messages} messages, ${overview.activeMembers} active members, ${overview.voiceMinutes} voice minutes; target p95 <= 50 ms)`);
	} finally {
		await store.close();
	}
}

export async function run(): Promise<void> {
	// BENCH_FLUSH_PARTS=ratio,flush,queries picks parts (default: all).
	const parts = new Set((process.env.BENCH_FLUSH_PARTS ?? 'ratio,flush,queries').split(','));
	if (parts.has('ratio')) await incrementalVsRewrite();
	if (parts.has('flush')) await flushBothDialects();
	if (parts.has('queries')) await reportQueries();
}

// `npx tsx bench/flush.ts` runs it alone (bench/run.ts imports it and calls run()).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();

