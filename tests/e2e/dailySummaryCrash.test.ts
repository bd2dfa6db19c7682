import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LAST_SUMMARY_META } from '#lib/reporting/DailySummaryPoster.js';
import { addDays, utcDay } from '#lib/reporting/summaryDays.js';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { LOCAL_REDIS_URL } from '../../scripts/support/botProcess.js';
import { REPORT_CHANNEL_IDS, startStack, type Stack } from './support/stack.js';
import { delivered, sleep, waitFor } from './support/reports.js';

/**
 * The bot is SIGKILLed while the day's summary waits for Discord (a 429 with a long Retry-After):
 * the day must not be marked done, so the restarted bot posts it, once. Short claim TTL (3 s) and a
 * cron of every 2 s via env keep it quick.
 */
describe('daily summary across a SIGKILL before it was sent', () => {
	let stack: Stack | undefined;
	const redis = new Redis({ host: '127.0.0.1', port: 6379 });
	const yesterday = addDays(utcDay(Date.now()), -1);

	afterAll(async () => {
		const queue = stack?.bot.env.TASKS_QUEUE;
		await stack?.stop();
		if (queue) {
			const keys = [...(await redis.keys(`bull:${queue}:*`)), ...(await redis.keys(`nexus:${queue}:*`))];
			if (keys.length) await redis.del(...keys);
		}
		await redis.quit();
	});

	it('is posted by the next run, exactly once', async () => {
		stack = await startStack({
			env: { REDIS_URL: LOCAL_REDIS_URL, DAILY_SUMMARY_CRON: '*/2 * * * * *', DAILY_SUMMARY_CLAIM_TTL_MS: '3000', MONITOR_ENABLED: 'false', REPORT_FLUSH_INTERVAL_MS: '600000' }
		});
		const summaries = () => delivered(stack!.sandbox, REPORT_CHANNEL_IDS.analytics).filter((event) => event.event === 'summary.daily');
		// The first run ever only records yesterday as done; wait for it, then make yesterday owed.
		const store = await StatsStore.open({ sqlitePath: stack.bot.env.SQLITE_PATH! });
		try {
			const until = Date.now() + 15_000;
			while ((await store.meta.get(LAST_SUMMARY_META)) === null && Date.now() < until) await sleep(200);
			stack.sandbox.faults.rateLimit({ route: 'POST /channels/:id/messages', count: 1, retryAfterMs: 30_000 });
			await store.meta.set(LAST_SUMMARY_META, addDays(yesterday, -1));
		} finally {
			await store.close();
		}
		const key = `nexus:${stack.bot.env.TASKS_QUEUE}:summary:${yesterday}`;
		// The summary's send got the 429: discord.js waits, the summary is only in memory.
		await waitFor(
			() => stack!.sandbox.findRequests((r) => r.status === 429 && r.path === `/channels/${REPORT_CHANNEL_IDS.analytics}/messages`).length > 0,
			20_000,
			'the summary send to be rate limited'
		);
		expect(await redis.get(key)).toMatch(/^pending:/);
		await stack.restartBot('SIGKILL');

		await waitFor(() => summaries().length > 0, 30_000, 'the summary after the restart');
		await sleep(5000);
		const posted = summaries().map((event) => /Daily summary for (\d{4}-\d{2}-\d{2})/.exec(event.text)?.[1]);
		expect(posted).toEqual([yesterday]);
		expect(await redis.get(key)).toBe('done');
	}, 120_000);
});
