import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuildDeletionGuard } from '#lib/stats/GuildDeletionGuard.js';
import { StatsService } from '#lib/stats/StatsService.js';
import { DAY, DIALECTS, HOUR, openTestStore, snowflake, type TestStore } from './storeHelpers.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const range = { range: { from: NOW - 10 * DAY, to: NOW + HOUR }, bucket: 'day' as const, timezone: 'UTC', members: 'both' as const };

/** Retention never deletes a guild the bot is in: a missed cancellation is caught when the deletion falls due. */
describe.each(DIALECTS)('guild deletions on %s', (dialect) => {
	let ctx: TestStore;

	beforeAll(async () => {
		ctx = await openTestStore(dialect, 'retguard');
	}, 60_000);

	afterAll(async () => {
		await ctx?.dispose();
	}, 60_000);

	it('retention asks whether the bot is in each due guild: in -> cancelled and kept, out -> purged, unknown -> kept for the next run', async () => {
		const stats = new StatsService({ store: ctx.store, voiceMinSeconds: 10, now: () => NOW, privacyRefreshMs: 0 });
		await stats.start();
		const [back, gone, unknown, channel, user] = [snowflake(), snowflake(), snowflake(), snowflake(), snowflake()];
		for (const guildId of [back, gone, unknown]) stats.recordMessage({ guildId, channelId: channel, userId: user, bot: false, at: NOW - DAY });
		await stats.flush();
		for (const guildId of [back, gone, unknown]) await stats.store.scheduleGuildDeletion(guildId, NOW - 1);

		const asked: string[] = [];
		const result = await stats.prune({
			hourlyDays: 30,
			dailyDays: 60,
			stillIn: async (guildId) => {
				asked.push(guildId);
				if (guildId === unknown) throw new Error('Discord unreachable');
				return guildId === back;
			}
		});
		expect(asked.sort()).toEqual([back, gone, unknown].sort());
		expect(result.guildsPurged).toEqual([gone]);
		expect((await stats.store.reports.overview(back, range)).messages).toBe(1);
		expect((await stats.store.getGuildSettings(back)).deletionAt).toBeNull();
		expect((await stats.store.reports.overview(gone, range)).messages).toBe(0);
		expect((await stats.store.reports.overview(unknown, range)).messages).toBe(1);
		expect((await stats.store.getGuildSettings(unknown)).deletionAt).toBe(NOW - 1);
	});

	it('the guard cancels a pending deletion for any guild the bot is in, reading the pending list once', async () => {
		const store = ctx.store;
		const [left, stays, other] = [snowflake(), snowflake(), snowflake()];
		await store.scheduleGuildDeletion(left, NOW + 30 * DAY);
		let reads = 0;
		const guard = new GuildDeletionGuard({
			scheduleGuildDeletion: (id, at) => store.scheduleGuildDeletion(id, at),
			cancelGuildDeletion: (id) => store.cancelGuildDeletion(id),
			pendingGuildDeletions: () => (reads++, store.pendingGuildDeletions())
		});
		expect(await guard.present(stays)).toBe(false);
		expect(await guard.present(left)).toBe(true);
		expect((await store.getGuildSettings(left)).deletionAt).toBeNull();
		await guard.schedule(other, NOW + 30 * DAY);
		expect(await guard.present(other)).toBe(true);
		expect((await store.getGuildSettings(other)).deletionAt).toBeNull();
		expect(reads).toBe(1);
	});
});
