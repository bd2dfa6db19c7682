import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { seedGuild } from '../../sandbox/index.js';
import { seedGuildWithReportChannels, startStack, type Stack } from './support/stack.js';
import { readUntil } from './support/guildstats.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY = 86_400_000;

let stack: Stack;
const main = seedGuildWithReportChannels();
const other = seedGuild({ name: 'Leaving Guild', members: 20, seed: 9 });

beforeAll(async () => {
	stack = await startStack({ sandbox: { guilds: [main, other] }, env: { STATS_FLUSH_INTERVAL_MS: '500', GUILD_DATA_GRACE_DAYS: '30' } });
});

afterAll(async () => {
	await stack?.stop();
});

async function deletionOf(guildId: string): Promise<number | null> {
	const store = await StatsStore.open({ sqlitePath: stack.bot.env.SQLITE_PATH! });
	try {
		return (await store.getGuildSettings(guildId)).deletionAt;
	} finally {
		await store.close();
	}
}


describe('the bot leaves and rejoins a guild', () => {
	it('schedules the guild\'s data for deletion after the grace period, cancels it on rejoin, and retention deletes it when due', async () => {
		const channelId = other.channels.find((channel) => channel.type === 0)!.id;
		const author = other.members.find((member) => !member.user.bot)!.user.id;
		for (let i = 0; i < 5; i++) stack.sandbox.sendMessage({ guildId: other.id, channelId, authorId: author });
		await sleep(1500); // flushed

		const left = Date.now();
		stack.sandbox.guildDelete(other.id);
		const at = await readUntil(() => deletionOf(other.id), (value) => value !== null);
		expect(at).not.toBeNull();
		expect(Math.abs(at! - (left + 30 * DAY))).toBeLessThan(60_000);

		stack.sandbox.guildCreate(other);
		expect(await readUntil(() => deletionOf(other.id), (value) => value === null)).toBeNull();

		stack.sandbox.guildDelete(other.id);
		await readUntil(() => deletionOf(other.id), (value) => value !== null);
		// Retention (the statsRetention task's work) once the grace period has passed.
		const store = await StatsStore.open({ sqlitePath: stack.bot.env.SQLITE_PATH! });
		try {
			const range = { range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day' as const, timezone: 'UTC', members: 'both' as const };
			expect((await store.reports.overview(other.id, range)).messages).toBe(5);
			const result = await store.prune({ hourlyDays: 90, dailyDays: 730, now: Date.now() + 31 * DAY });
			expect(result.guildsPurged).toContain(other.id);
			expect((await store.reports.overview(other.id, range)).messages).toBe(0);
		} finally {
			await store.close();
		}
	});
});
