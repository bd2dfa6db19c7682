// The large synthetic guild (largeGuild.ts) cached as a SQLite file in the temp dir, shared by the
// benchmarks that read it: generated once (~1 min), reused while the fixture label is unchanged.
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StatsStore } from '../../src/lib/stats/StatsStore.js';
import { seedLargeGuild } from './largeGuild.js';

export const LARGE_GUILD_FIXTURE = 'guildstats-large-v1';
/** The fixture's data ends here. */
export const LARGE_GUILD_END = Date.UTC(2026, 5, 1);

export async function openLargeGuildFixture(): Promise<StatsStore> {
	const dir = join(tmpdir(), 'nexus-bench');
	mkdirSync(dir, { recursive: true });
	const path = join(dir, `${LARGE_GUILD_FIXTURE}.sqlite`);
	let store = await StatsStore.open({ sqlitePath: path });
	if ((await store.meta.get('bench_fixture')) === LARGE_GUILD_FIXTURE) return store;
	await store.close();
	for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
	store = await StatsStore.open({ sqlitePath: path });
	const started = performance.now();
	const info = await seedLargeGuild(store, { endAt: LARGE_GUILD_END, timezone: 'America/New_York' });
	await store.meta.set('bench_fixture', LARGE_GUILD_FIXTURE);
	console.log(`generated the large guild in ${((performance.now() - started) / 1000).toFixed(1)} s (${info.messages} messages); cached at ${path}`);
	return store;
}
