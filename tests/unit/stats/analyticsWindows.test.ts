import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { AnalyticsReportPoster } from '#lib/reporting/AnalyticsReportPoster.js';
import { lockKeyFor } from '#lib/stats/statsSql.js';
import type { StatsStore } from '#lib/stats/StatsStore.js';
import { emptyDeltas, type AnalyticsSnapshot, type StatsDeltas } from '#lib/stats/statsTypes.js';
import { DIALECTS, openTestStore, PG_URL, snowflake, type TestStore } from './storeHelpers.js';

const WINDOW = 15 * 60_000;
const T0 = Date.UTC(2026, 2, 10, 12);

/** `count` messages in one guild, as a flush would hand them to the store. */
function messages(guildId: string, count: number, at: number): StatsDeltas {
	const deltas = emptyDeltas();
	deltas.messages.push({ guildId, channelId: snowflake(), threadId: '', userId: snowflake(), hour: Math.floor(at / 3_600_000), bot: false, messages: count, lastAt: at });
	return deltas;
}

/** The real poster over a store; returns the messages each window counted. */
function poster(store: StatsStore, now: () => number) {
	const windows: AnalyticsSnapshot[] = [];
	const instance = new AnalyticsReportPoster({
		stats: {
			store: {
				meta: store.meta,
				summaries: {
					analyticsSnapshot: async (since, at, options) => {
						const snapshot = await store.summaries.analyticsSnapshot(since, at, options);
						windows.push(snapshot);
						return snapshot;
					}
				}
			}
		},
		reporter: { enqueue: () => undefined, flush: async () => undefined },
		intervalMs: WINDOW,
		now
	});
	return { run: () => instance.run(), counted: () => windows.map((window) => window.total.messages) };
}

describe.each(DIALECTS)('analytics windows count each flush exactly once (%s)', (dialect) => {
	let opened: TestStore | undefined;
	afterEach(async () => {
		await opened?.dispose();
		opened = undefined;
	});

	it('a flush stamped before a window ends that commits after the window was read lands in the next window', async () => {
		opened = await openTestStore(dialect, 'awin');
		const { store } = opened;
		const guild = snowflake();
		let now = T0;
		const windows = poster(store, () => now);

		await store.applyDeltas(messages(guild, 3, T0 - 60_000), T0 - 60_000);
		await windows.run(); // window ending T0: 3
		// A flush starts (and is stamped) at T0 + 10 min; the window ending T0 + 15 min is read before it commits.
		const stampedAt = T0 + 10 * 60_000;
		now = T0 + WINDOW;
		await windows.run();
		await store.applyDeltas(messages(guild, 5, stampedAt), stampedAt);
		now += WINDOW;
		await windows.run(); // the late flush is counted here, once
		now += WINDOW;
		await windows.run();

		expect(windows.counted()).toEqual([3, 0, 5, 0]);
	});

	it('a window reached after a long downtime still counts only flushes not counted before', async () => {
		opened = await openTestStore(dialect, 'awin2');
		const { store } = opened;
		const guild = snowflake();
		let now = T0;
		const windows = poster(store, () => now);
		await store.applyDeltas(messages(guild, 2, T0 - 1000), T0 - 1000);
		await windows.run();
		await store.applyDeltas(messages(guild, 4, T0 + 1000), T0 + 1000);
		now = T0 + 2 * 86_400_000 + 1000;
		await store.applyDeltas(messages(guild, 7, now - 1000), now - 1000);
		await windows.run(); // the flush of two days ago is past the 24 h cap; the recent one counts
		await windows.run();
		expect(windows.counted()).toEqual([2, 7, 0]);
	});
});

describe('analytics windows under concurrent flushes (postgres)', () => {
	let opened: TestStore | undefined;
	afterEach(async () => {
		await opened?.dispose();
		opened = undefined;
	});

	it('a flush blocked in its transaction while the window is read is counted in the next window', async () => {
		opened = await openTestStore('postgres', 'awinpg');
		const { store } = opened;
		const guild = snowflake();
		const windows = poster(store, Date.now);
		await windows.run();
		// Another session holds the store's write lock exclusively (as a purge does): the flush waits inside its transaction.
		const blocker = new pg.Client({ connectionString: PG_URL });
		await blocker.connect();
		try {
			await blocker.query('select pg_advisory_lock(20056, $1)', [lockKeyFor(store.schema)]);
			const stampedAt = Date.now();
			const flush = store.applyDeltas(messages(guild, 5, stampedAt), stampedAt);
			await new Promise((resolve) => setTimeout(resolve, 100));
			await windows.run(); // read after the stamp, before the commit
			await blocker.query('select pg_advisory_unlock(20056, $1)', [lockKeyFor(store.schema)]);
			await flush;
		} finally {
			await blocker.end();
		}
		await windows.run();
		await windows.run();
		expect(windows.counted()).toEqual([0, 0, 5, 0]);
	});

	it('two shards flushing concurrently while windows are read: the windows add up to exactly what was flushed', async () => {
		opened = await openTestStore('postgres', 'awinpg2');
		const shards = [opened.store, await opened.reopen()];
		const reader = await opened.reopen();
		const guild = snowflake();
		const windows = poster(reader, Date.now);
		let writing = true;
		const writers = shards.map(async (store) => {
			for (let round = 0; round < 40; round++) {
				const at = Date.now();
				await store.applyDeltas(messages(guild, 1, at), at);
			}
		});
		const reading = (async () => {
			while (writing) await windows.run();
		})();
		await Promise.all(writers);
		writing = false;
		await reading;
		await windows.run();
		await windows.run();
		expect(windows.counted().reduce((sum, value) => sum + value, 0)).toBe(80);
		expect(windows.counted().at(-1)).toBe(0);
	});
});
