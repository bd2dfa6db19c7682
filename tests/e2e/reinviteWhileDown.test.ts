import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';
import { seedGuild } from '../../sandbox/index.js';
import { startBotProcess } from '../../scripts/support/botProcess.js';
import { seedGuildWithReportChannels, startStack, stopBot, waitForBotReady, type Stack } from './support/stack.js';
import { readUntil } from './support/guildstats.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const DAY = 86_400_000;

/** Removed from a guild, then re-invited while the bot was down: the guild arrives in READY, not as a new guild. */
describe.each([
	{ dialect: 'sqlite', databaseUrl: undefined as string | undefined },
	{ dialect: 'postgres', databaseUrl: `${PG}?schema=e2e_reinvite_${randomBytes(4).toString('hex')}` }
])('a guild re-invited while the bot is down ($dialect)', ({ databaseUrl }) => {
	let stack: Stack;
	const main = seedGuildWithReportChannels();
	const other = seedGuild({ name: 'Re-invited Guild', members: 20, seed: 11 });
	const openStore = () => StatsStore.open({ ...databaseTarget(databaseUrl), sqlitePath: stack.bot.env.SQLITE_PATH! });

	beforeAll(async () => {
		stack = await startStack({ sandbox: { guilds: [main, other] }, env: { DATABASE_URL: databaseUrl, STATS_FLUSH_INTERVAL_MS: '500', GUILD_DATA_GRACE_DAYS: '30' } });
	});

	afterAll(async () => {
		await stack?.stop();
	});

	async function deletionOf(guildId: string): Promise<number | null> {
		const store = await openStore();
		try {
			return (await store.getGuildSettings(guildId)).deletionAt;
		} finally {
			await store.close();
		}
	}


	it('cancels the scheduled deletion at start, and retention keeps its data', async () => {
		const channelId = other.channels.find((channel) => channel.type === 0)!.id;
		const author = other.members.find((member) => !member.user.bot)!.user.id;
		for (let i = 0; i < 4; i++) stack.sandbox.sendMessage({ guildId: other.id, channelId, authorId: author });
		await sleep(1500); // flushed

		stack.sandbox.guildDelete(other.id);
		expect(await readUntil(() => deletionOf(other.id), (value) => value !== null)).not.toBeNull();

		// Down; meanwhile the guild invites the bot again.
		expect((await stopBot(stack.bot)).code).toBe(0);
		stack.sandbox.guildCreate(other);
		stack.bot = startBotProcess(stack.bot.env, stack.bot.dataDir);
		await waitForBotReady(stack.sandbox, stack.bot);

		expect(await readUntil(() => deletionOf(other.id), (value) => value === null)).toBeNull();
		// Retention once the grace period would have passed: the guild's history stays.
		const store = await openStore();
		try {
			const range = { range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day' as const, timezone: 'UTC', members: 'both' as const };
			const result = await store.prune({ hourlyDays: 90, dailyDays: 730, now: Date.now() + 31 * DAY });
			expect(result.guildsPurged).not.toContain(other.id);
			expect((await store.reports.overview(other.id, range)).messages).toBe(4);
		} finally {
			await store.close();
		}
	}, 120_000);
});
