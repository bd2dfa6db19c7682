import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsService } from '#lib/stats/StatsService.js';
import { tableName, USER_FAMILIES } from '#lib/stats/statsSchema.js';
import { DIALECTS, HOUR, openTestStore, snowflake, type TestStore } from './storeHelpers.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const range = { range: { from: NOW - HOUR, to: NOW + HOUR }, bucket: 'hour' as const, timezone: 'UTC', members: 'both' as const };

/*
 * A purge arriving while a flush is in flight (its deltas drained, not yet committed). Not an e2e
 * test: the window is a few milliseconds of a real bot, so the flush is held here on purpose.
 */
describe.each(DIALECTS)('purge racing a flush on %s', (dialect) => {
	let ctx: TestStore;

	beforeAll(async () => {
		ctx = await openTestStore(dialect, 'purgerace');
	}, 60_000);

	afterAll(async () => {
		await ctx?.dispose();
	}, 60_000);

	it('the purge wins: no row of the purged guild is left once both finished, other guilds are written', async () => {
		const store = ctx.store;
		const apply = store.applyDeltas.bind(store);
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		store.applyDeltas = async (...args: Parameters<typeof apply>) => {
			await held;
			return apply(...args);
		};
		const stats = new StatsService({ store, voiceMinSeconds: 10, now: () => NOW, privacyRefreshMs: 0 });
		await stats.start();
		const [purged, kept, channel, user] = [snowflake(), snowflake(), snowflake(), snowflake()];
		for (const guildId of [purged, kept]) stats.recordMessage({ guildId, channelId: channel, userId: user, bot: false, at: NOW });

		const flushing = stats.flush();
		await new Promise((resolve) => setTimeout(resolve, 20));
		const purging = stats.purgeGuild(purged);
		await new Promise((resolve) => setTimeout(resolve, 50));
		release();
		await Promise.all([flushing, purging]);
		store.applyDeltas = apply;

		expect((await stats.store.reports.overview(purged, range)).messages).toBe(0);
		expect((await stats.store.reports.overview(kept, range)).messages).toBe(1);
	});

	it('so does a delete opt-out: none of the member\'s rows is written after it', async () => {
		const store = ctx.store;
		const apply = store.applyDeltas.bind(store);
		const stats = new StatsService({ store, voiceMinSeconds: 10, now: () => NOW, privacyRefreshMs: 0 });
		await stats.start();
		const [guildId, channel, optedOut, stays] = [snowflake(), snowflake(), snowflake(), snowflake()];
		for (const userId of [optedOut, stays]) stats.recordMessage({ guildId, channelId: channel, userId, bot: false, at: NOW });
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		store.applyDeltas = async (...args: Parameters<typeof apply>) => {
			await held;
			return apply(...args);
		};
		const flushing = stats.flush();
		await new Promise((resolve) => setTimeout(resolve, 20));
		const deleting = stats.optOut(optedOut, 'delete');
		await new Promise((resolve) => setTimeout(resolve, 50));
		release();
		await Promise.all([flushing, deleting]);
		store.applyDeltas = apply;

		expect((await store.reports.memberStats(guildId, optedOut, range)).optedOut).toBe(true);
		for (const family of USER_FAMILIES) {
			const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(tableName(family, 'hourly'))} where user_id = ${optedOut}`.execute(store.db);
			expect([family, Number(rows[0].n)]).toEqual([family, 0]);
		}
		expect((await stats.store.reports.overview(guildId, range)).messages).toBe(1);
	});
});
