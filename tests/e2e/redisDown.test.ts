import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { startStack, stopBot, type Stack } from './support/stack.js';
import { freePort } from './support/api.js';
import { startRedis } from './support/throwawayRedis.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));



let stack: Stack;
let redis: ChildProcess;
let port: number;

beforeAll(async () => {
	port = await freePort();
	redis = await startRedis(port);
	stack = await startStack({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, STATS_FLUSH_INTERVAL_MS: '1000' } });
});

afterAll(async () => {
	redis?.kill('SIGKILL');
	await stack?.stop();
});

describe('Redis goes down while the bot runs', () => {
	it('keeps capturing and flushing, does not crash, and SIGTERM still exits 0 with every count stored', async () => {
		const guild = [...stack.sandbox.state.guilds.values()][0]!;
		const channelId = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!).find((channel) => channel.type === 0)!.id;
		const author = [...guild.members.keys()].find((id) => id !== stack.sandbox.botUser.id && !guild.voiceStates.has(id))!;

		redis.kill('SIGKILL');
		await sleep(1000);
		for (let i = 0; i < 50; i++) stack.sandbox.sendMessage({ guildId: guild.id, channelId, authorId: author });
		await sleep(3000);
		expect(stack.bot.proc.exitCode).toBeNull();
		for (let i = 0; i < 25; i++) stack.sandbox.sendMessage({ guildId: guild.id, channelId, authorId: author });

		// Redis comes back EMPTY (no persistence, as on the test machines): the schedules were lost with
		// it, and the bot puts them back by itself.
		redis = await startRedis(port);
		const queue = new Queue(stack.bot.env.TASKS_QUEUE!, { connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null } });
		try {
			const until = Date.now() + 40_000;
			let names: string[] = [];
			while (Date.now() < until) {
				names = (await queue.getRepeatableJobs()).map((job) => job.name);
				// The schedules are put back one by one: wait for both, not the first.
				if (names.includes('monitorHealth') && names.includes('dailySummary')) break;
				await sleep(1000);
			}
			expect(names).toEqual(expect.arrayContaining(['monitorHealth', 'dailySummary']));
		} finally {
			await queue.close();
		}

		// Never a silent switch to in-process scheduling (in a fleet every process would run every job).
		expect(stack.bot.lines.filter((line) => /Scheduler: /.test(line))).toEqual([expect.stringMatching(/Scheduler: BullMQ on Redis, because REDIS_URL is set/)]);
		expect(stack.bot.lines.some((line) => /Embedded scheduler/.test(line))).toBe(false);

		const { code } = await stopBot(stack.bot);
		expect(code).toBe(0);
		const store = await StatsStore.open({ sqlitePath: stack.bot.env.SQLITE_PATH! });
		try {
			const member = await store.reports.memberStats(guild.id, author, { range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' });
			expect(member.totals.messages).toBe(75);
		} finally {
			await store.close();
		}
	});
});
