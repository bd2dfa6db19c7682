// bench/guildstats: the whole `/guildstats server` path minus Discord (store queries, names, view,
// render through the image cache) on the large synthetic guild of bench/support/largeGuild.ts
// (10k members, 500 channels, 90 days of hourly data, SQLite), cold (a new data version every
// time: query + render) against a cache hit (same version: no query, no render).
import { performance } from 'node:perf_hooks';
import { ChartRenderer } from '../src/lib/charts/ChartRenderer.js';
import { ImageCache } from '../src/lib/charts/ImageCache.js';
import { GuildStatsReports, type GuildContext, type ReportStats } from '../src/lib/guildstats/GuildStatsReports.js';
import { validateReportInput, type RangeChoice } from '../src/lib/guildstats/reportOptions.js';
import { StatsService } from '../src/lib/stats/StatsService.js';
import { LARGE_GUILD_ID } from './support/largeGuild.js';
import { LARGE_GUILD_END, openLargeGuildFixture } from './support/largeGuildFixture.js';

const END = LARGE_GUILD_END;
const COLD_RUNS = Number(process.env.BENCH_GUILDSTATS_RUNS ?? 20);
const HIT_RUNS = 2000;
const QUERIES = new Set(['serverReport', 'memberStats', 'channelStats', 'top', 'overview', 'heatmap', 'voiceStats', 'growth']);

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const ms = (n: number) => `${n.toFixed(n < 1 ? 3 : 1)} ms`;

export async function run(): Promise<void> {
	const store = await openLargeGuildFixture();
	const stats = new StatsService({ store, voiceMinSeconds: 10 });
	let version = 0;
	let queryMs = 0;
	// The real service, with a data version we advance by hand and its report queries timed.
	const timedReports = new Proxy(stats.store.reports, {
		get(target, property, receiver) {
			const value = Reflect.get(target, property, receiver);
			if (typeof value !== 'function') return value;
			if (!QUERIES.has(String(property))) return value.bind(target);
			return async (...args: unknown[]) => {
				const started = performance.now();
				try {
					return await value.apply(target, args);
				} finally {
					queryMs += performance.now() - started;
				}
			};
		}
	});
	const timedStats: ReportStats = { dataVersion: () => version, isGuildEnabled: (id) => stats.isGuildEnabled(id), store: { reports: timedReports } };
	const blocks: number[] = [];
	const charts = new ChartRenderer({ workers: 1, onRender: (timing) => blocks.push(timing.mainThreadMs) });
	await charts.warmUpWorkers(); // spawn and warm the worker up front: this bench measures warm renders
	const names = {
		channel: (id: string) => ({ name: `channel-${id.slice(-3)}`, kind: 'text' as const }),
		members: async (ids: readonly string[]) => new Map(ids.map((id) => [id, { displayName: `member_${id.slice(-4)}`, bot: false, inGuild: true }]))
	};
	const guild: GuildContext = { id: LARGE_GUILD_ID, name: 'Bench Guild', memberCount: 10_000, names };
	const reports = new GuildStatsReports({ stats: timedStats, timezoneOf: (id) => store.guildTimezone(id), charts, cache: new ImageCache(), now: () => END - 1 });

	console.log(`/guildstats server on 10k members / 500 channels / 90 days (SQLite), renderer with 1 worker; ${COLD_RUNS} cold requests per range`);
	try {
		for (const range of ['24h', '30d', '90d'] as RangeChoice[]) {
			const request = { report: 'server', options: validateReportInput({ range }) } as const;
			for (let i = 0; i < 2; i++) {
				version++;
				await reports.run(request, guild);
			}
			const cold: number[] = [];
			const queries: number[] = [];
			blocks.length = 0;
			for (let i = 0; i < COLD_RUNS; i++) {
				version++;
				queryMs = 0;
				const started = performance.now();
				const result = await reports.run(request, guild);
				cold.push(performance.now() - started);
				queries.push(queryMs);
				if (result.image?.cached) throw new Error('a cold request was served from the cache');
			}
			const hits: number[] = [];
			for (let i = 0; i < HIT_RUNS; i++) {
				queryMs = 0;
				const started = performance.now();
				const result = await reports.run(request, guild);
				hits.push(performance.now() - started);
				if (!result.image?.cached || queryMs > 0) throw new Error('a repeated request was not a pure cache hit');
			}
			console.log(
				`  ${range.padEnd(4)} cold: total p50 ${ms(percentile(cold, 50))}, p95 ${ms(percentile(cold, 95))}; queries p50 ${ms(percentile(queries, 50))}, p95 ${ms(percentile(queries, 95))} (target p95 <= 50 ms ${percentile(queries, 95) <= 50 ? 'met' : 'NOT met'}); ` +
					`main-thread block per render p50 ${ms(percentile(blocks, 50))}\n` +
					`       cache hit (whole run(), no query, no render): p50 ${ms(percentile(hits, 50))}, p99 ${ms(percentile(hits, 99))} (target <= 1 ms ${percentile(hits, 99) <= 1 ? 'met' : 'NOT met'})`
			);
		}
	} finally {
		await charts.stop();
		await store.close();
	}
}
