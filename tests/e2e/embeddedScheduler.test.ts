import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSandbox } from '../../sandbox/index.js';
import { isolatedEnv, removeDir, startBotProcess, type BotProcess } from '../../scripts/support/botProcess.js';
import { ANALYTICS_REPORT_EVENT } from '#lib/reporting/analyticsReport.js';
import { LAST_SUMMARY_META } from '#lib/reporting/DailySummaryPoster.js';
import { addDays, utcDay } from '#lib/reporting/summaryDays.js';
import { StatsAggregator } from '#lib/stats/StatsAggregator.js';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { REPORT_CHANNEL_IDS, seedGuildWithReportChannels, stopBot, waitForBotReady } from './support/stack.js';
import { delivered, waitFor, type DeliveredEvent } from './support/reports.js';

/**
 * One bot process with REDIS_URL unset (the default product): every `scheduled-tasks` piece runs in
 * this process on the embedded scheduler, with short intervals, and each one's effect is seen in
 * the sandbox or the log. Nothing here may touch Redis.
 */

const TASKS = ['analyticsReport', 'dailySummary', 'monitorCommands', 'monitorErrors', 'monitorHealth', 'monitorSystem', 'statsRetention'];
const today = utcDay(Date.now());
const yesterday = addDays(today, -1);

let sandbox: DiscordSandbox;
let bot: BotProcess;
let env: Record<string, string>;
let dataDir: string;
let guildId: string;

const events = (channel: keyof typeof REPORT_CHANNEL_IDS): DeliveredEvent[] => delivered(sandbox, REPORT_CHANNEL_IDS[channel]);

beforeAll(async () => {
	sandbox = await DiscordSandbox.start({ guilds: [seedGuildWithReportChannels()] });
	guildId = [...sandbox.state.guilds.keys()][0]!;
	({ env, dataDir } = isolatedEnv(sandbox.apiUrl, {
		LOG_LEVEL: 'debug',
		STATS_FLUSH_INTERVAL_MS: '500',
		REPORT_FLUSH_INTERVAL_MS: '300',
		REPORT_ANALYTICS_INTERVAL_MS: '2500',
		MONITOR_HEALTH_INTERVAL_MS: '2000',
		MONITOR_SYSTEM_INTERVAL_MS: '1000',
		MONITOR_ERROR_INTERVAL_MS: '1000',
		MONITOR_COMMAND_INTERVAL_MS: '1500',
		DAILY_SUMMARY_CRON: '*/2 * * * * *',
		RETENTION_CRON: '*/3 * * * * *',
		RETENTION_HOURLY_DAYS: '2',
		CHART_WORKERS: '0'
	}));
	expect(env.REDIS_URL).toBeUndefined();

	// The store as a bot left it: activity yesterday and five days ago, the last summary three days ago.
	const store = await StatsStore.open({ sqlitePath: env.SQLITE_PATH! });
	const aggregator = new StatsAggregator();
	const channelId = [...sandbox.state.guilds.get(guildId)!.channelIds].find((id) => sandbox.state.channels.get(id)!.type === 0)!;
	for (const [day, count] of [[yesterday, 4], [addDays(today, -5), 3]] as const) {
		const noon = Date.parse(`${day}T12:00:00Z`);
		for (let i = 0; i < count; i++) aggregator.recordMessage({ guildId, channelId, userId: `30000000000000000${i}`, bot: false, at: noon + i * 1000 });
		await store.applyDeltas(aggregator.drain(), noon + 60_000);
	}
	await store.meta.set(LAST_SUMMARY_META, addDays(today, -3));
	await store.close();

	bot = startBotProcess(env, dataDir);
	await waitForBotReady(sandbox, bot);
}, 90_000);

afterAll(async () => {
	if (bot) await stopBot(bot);
	await sandbox?.stop();
	if (dataDir) removeDir(dataDir);
});

describe('embedded scheduler (REDIS_URL unset)', () => {
	it('says at start which scheduler runs and why, and schedules every task piece in this process', async () => {
		expect(await bot.waitForLine(/Scheduler: embedded \(in this process\), because REDIS_URL is unset/)).toBeTruthy();
		const line = (JSON.parse(await bot.waitForLine(/Embedded scheduler: \d+ task\(s\) scheduled/)) as { msg: string }).msg;
		for (const task of TASKS) expect(line).toContain(task);
		expect(line).toContain('dailySummary (cron "*/2 * * * * *" UTC)');
		expect(line).toContain('monitorHealth (every 2 s)');
	});

	it('posts the health report to Performance on schedule', async () => {
		// The first report can come before any sample ("no data yet"); the schedule keeps posting, so wait for a scored one.
		const reports = () => events('performance').filter((event) => event.event === 'health.report');
		await waitFor(() => reports().length > 0, 20_000, 'a health report');
		const scored = await waitFor(() => reports().find((event) => /Excellent|Good|Fair|Poor|Critical/.test(event.text)), 20_000, 'a health report with a score');
		expect(scored.text).toMatch(/\/100\)/);
	});

	it('catches up the missed daily summaries on start, each day once, oldest first, while the cron keeps running', async () => {
		const summaries = () => events('analytics').filter((event) => event.event === 'summary.daily');
		await waitFor(() => summaries().length >= 2, 20_000, 'two daily summaries');
		// The cron fires every 2 s: it must find nothing more to post.
		await bot.waitForLine(/Scheduled task dailySummary ran/, 10_000);
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect(summaries().map((event) => /Daily summary for (\d{4}-\d{2}-\d{2})/.exec(event.text)?.[1])).toEqual([addDays(today, -2), yesterday]);
		const fields = (summaries().at(-1)!.request.body as { embeds: { fields?: { name: string; value: string }[] }[] }).embeds[0]!.fields!;
		expect(fields.find((field) => field.name === 'Messages')?.value).toBe('4');
	});

	it('posts an analytics report of new activity to Analytics', async () => {
		const channelId = [...sandbox.state.guilds.get(guildId)!.channelIds].find((id) => sandbox.state.channels.get(id)!.type === 0)!;
		const authors = [...sandbox.state.guilds.get(guildId)!.members.values()].filter((member) => !member.user.bot && member.user.id !== sandbox.botUser.id).slice(0, 3).map((member) => member.user.id);
		for (let i = 0; i < 6; i++) sandbox.sendMessage({ guildId, channelId, authorId: authors[i % authors.length]! });
		const report = await waitFor(() => events('analytics').find((event) => event.event === ANALYTICS_REPORT_EVENT), 20_000, 'an analytics report');
		expect(report.text).toMatch(/message/i);
	});

	it('runs retention on its cron and reports what it pruned to Logs', async () => {
		const retention = await waitFor(() => events('logs').find((event) => event.event === 'stats.retention'), 20_000, 'a retention report');
		// The activity seeded five days ago is past RETENTION_HOURLY_DAYS=2.
		expect(Number(/Retention: ([\d,]+) hourly/.exec(retention.text)?.[1]?.replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
	});

	it('runs every task piece, and nothing mentions Redis beyond the scheduler choice', async () => {
		for (const task of TASKS) await bot.waitForLine(new RegExp(`Scheduled task ${task} ran in \\d+ ms`), 15_000);
		const redisLines = bot.lines.filter((line) => /redis/i.test(line) && !/Scheduler: embedded/.test(line));
		expect(redisLines).toEqual([]);
		expect(bot.lines.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
	});

	it('stops cleanly on SIGTERM (no timer keeps the process alive)', async () => {
		const result = await stopBot(bot);
		expect(result.code).toBe(0);
	});
});
