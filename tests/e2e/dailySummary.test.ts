import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSandbox } from '../../sandbox/index.js';
import { LOCAL_REDIS_URL, isolatedEnv, removeDir, startBotProcess, type BotProcess } from '../../scripts/support/botProcess.js';
import { LAST_SUMMARY_META } from '#lib/reporting/DailySummaryPoster.js';
import { addDays, utcDay } from '#lib/reporting/summaryDays.js';
import { StatsAggregator } from '#lib/stats/StatsAggregator.js';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { REPORT_CHANNEL_IDS, seedGuildWithReportChannels, stopBot } from './support/stack.js';
import { delivered, sleep, waitFor, type DeliveredEvent } from './support/reports.js';

/**
 * Two bot processes (shards 0 and 1 of 2, as discord.js's ShardingManager would start them) share
 * one BullMQ queue, one Redis and one statistics store. The daily summary runs on a cron of every
 * 2 s here (DAILY_SUMMARY_CRON), so "midnight" comes often and both processes race for each day.
 */
let sandbox: DiscordSandbox;
let bots: BotProcess[] = [];
let env: Record<string, string>;
let dataDir: string;
let guildId: string;
let redis: Redis;
const today = utcDay(Date.now());
const yesterday = addDays(today, -1);
const YESTERDAY_MESSAGES = 7;

const openStore = () => StatsStore.open({ sqlitePath: env.SQLITE_PATH! });

beforeAll(async () => {
	sandbox = await DiscordSandbox.start({ guilds: [seedGuildWithReportChannels()], shardCount: 2 });
	guildId = [...sandbox.state.guilds.keys()][0]!;
	({ env, dataDir } = isolatedEnv(sandbox.apiUrl, { REDIS_URL: LOCAL_REDIS_URL, DAILY_SUMMARY_CRON: '*/2 * * * * *', MONITOR_ENABLED: 'false', SHARD_COUNT: '2' }));
	redis = new Redis({ host: '127.0.0.1', port: 6379 });

	// The store as a bot left it: activity yesterday, and the last summary posted 3 days ago (two days missed).
	const store = await openStore();
	const aggregator = new StatsAggregator();
	const noon = Date.parse(`${yesterday}T12:00:00Z`);
	const channelId = [...sandbox.state.guilds.get(guildId)!.channelIds].find((id) => sandbox.state.channels.get(id)!.type === 0)!;
	for (let i = 0; i < YESTERDAY_MESSAGES; i++) aggregator.recordMessage({ guildId, channelId, userId: `30000000000000000${i % 3}`, bot: false, at: noon + i * 1000 });
	aggregator.recordCommand({ guildId, command: 'guildstats server', ok: true, durationMs: 80, at: noon });
	aggregator.recordCommand({ guildId, command: 'guildstats top', ok: false, durationMs: 40, at: noon });
	await store.applyDeltas(aggregator.drain(), noon + 60_000);
	await store.meta.set(LAST_SUMMARY_META, addDays(today, -3));
	await store.close();

	bots = ['0', '1'].map((shard) => startBotProcess({ ...env, SHARDS: shard }, dataDir));
	await Promise.all(bots.map((bot) => bot.waitForLine(/Nexus ready as/, 45_000)));
});

afterAll(async () => {
	await Promise.all(bots.map((bot) => stopBot(bot)));
	await sandbox?.stop();
	if (redis) {
		const keys = [...(await redis.keys(`bull:${env.TASKS_QUEUE}:*`)), ...(await redis.keys(`nexus:${env.TASKS_QUEUE}:*`))];
		if (keys.length) await redis.del(...keys);
		await redis.quit();
	}
	if (dataDir) removeDir(dataDir);
});

const summaries = (): DeliveredEvent[] => delivered(sandbox, REPORT_CHANNEL_IDS.analytics).filter((event) => event.event === 'summary.daily');
const dayOf = (event: DeliveredEvent) => /Daily summary for (\d{4}-\d{2}-\d{2}) \(UTC\)/.exec(event.text)?.[1];

describe('daily summary with two bot processes sharing a queue and a store', () => {
	it('catches up the missed days on start: each day once, oldest first, with a PNG chart and the JSON', async () => {
		await waitFor(() => summaries().length >= 2, 20_000, 'two summaries');
		// Both processes ran their catch-up on ready and the cron fired several times meanwhile: still once per day.
		await sleep(5000);
		const posted = summaries();
		expect(posted.map(dayOf)).toEqual([addDays(today, -2), yesterday]);
		for (const event of posted) {
			const files = event.request.files;
			const png = files.find((file) => file.name.endsWith('.png'))!;
			expect(png.data.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
			expect(png.size).toBeGreaterThan(5000);
			expect(files.some((file) => file.name.endsWith(`daily-summary-${dayOf(event)}.json`))).toBe(true);
		}
		// Yesterday's real figures, from the shared store.
		const last = posted.at(-1)!;
		const fields = (last.request.body as { embeds: { fields?: { name: string; value: string }[] }[] }).embeds[0]!.fields!;
		expect(fields.find((field) => field.name === 'Messages')?.value).toBe(String(YESTERDAY_MESSAGES));
		expect(fields.find((field) => field.name === 'Active members')?.value).toBe('3');
		expect(fields.find((field) => field.name === 'Commands run')?.value).toBe('2');
		expect(fields.find((field) => field.name === 'Commands failed')?.value).toBe('1');
		// No ops figures were recorded for that day (the fleet is new): shown as such, not invented.
		expect(fields.find((field) => field.name === 'Health min / avg')?.value).toBe('n/a (no health reports)');
		expect(fields.find((field) => field.name === 'Restarts')?.value).toBe('0');
		const json = JSON.parse(last.request.files.find((file) => file.name.endsWith('.json'))!.data.toString('utf8')) as { event: string; data: { day: string; guilds: { guildId: string; messages: number }[] } };
		expect(json.event).toBe('summary.daily');
		expect(json.data.guilds).toEqual([expect.objectContaining({ guildId, messages: YESTERDAY_MESSAGES })]);
		// The fleet's state: marker on yesterday, each day marked done in Redis.
		const store = await openStore();
		expect(await store.meta.get(LAST_SUMMARY_META)).toBe(yesterday);
		await store.close();
		for (const day of [addDays(today, -2), yesterday]) expect(await redis.get(`nexus:${env.TASKS_QUEUE}:summary:${day}`)).toBe('done');
	});

	it('one repeatable for the whole fleet, and each spool in its own shard directory', async () => {
		const queue = new Queue(env.TASKS_QUEUE!, { connection: { host: '127.0.0.1', port: 6379 } });
		try {
			const repeatables = (await queue.getRepeatableJobs()).filter((job) => job.name === 'dailySummary');
			expect(repeatables).toHaveLength(1);
			expect(repeatables[0]).toMatchObject({ pattern: '*/2 * * * * *', tz: 'UTC' });
		} finally {
			await queue.close();
		}
		// Both processes feed the fleet's ops ledger for today (tomorrow's summary: uptime and restarts).
		expect(await redis.hget(`nexus:${env.TASKS_QUEUE}:ops:${today}`, 'starts')).toBe('2');
		expect(await redis.bitcount(`nexus:${env.TASKS_QUEUE}:ops:${today}:up`)).toBeGreaterThanOrEqual(1);
		expect(existsSync(join(env.REPORT_SPOOL_DIR!, 'shard-0'))).toBe(true);
		expect(existsSync(join(env.REPORT_SPOOL_DIR!, 'shard-1'))).toBe(true);
	});

	it('at a simulated midnight the cron run posts the day that just ended exactly once', async () => {
		// The state right after midnight: yesterday not posted and not claimed.
		const store = await openStore();
		await store.meta.set(LAST_SUMMARY_META, addDays(today, -2));
		await store.close();
		const before = summaries().length;
		const fromLines = bots.map((bot) => bot.lines.length);
		await redis.del(`nexus:${env.TASKS_QUEUE}:summary:${yesterday}`);
		await waitFor(() => summaries().length > before, 15_000, 'the midnight summary');
		// Several more ticks on both processes: nothing else is posted.
		await sleep(5000);
		const fresh = summaries().slice(before);
		expect(fresh.map(dayOf)).toEqual([yesterday]);
		const posters = bots.filter((bot, i) => bot.lines.slice(fromLines[i]).some((line) => line.includes(`Daily summary posted for ${yesterday}`)));
		expect(posters).toHaveLength(1);
		for (const bot of bots) expect(bot.proc.exitCode).toBeNull();
	});
});
