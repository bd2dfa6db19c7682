import { Redis } from 'ioredis';
import { DISCORD_EPOCH, snowflake } from '../../../sandbox/index.js';
import { LOCAL_REDIS_URL } from '../../../scripts/support/botProcess.js';
import { dropSchema } from '../../support/storeSchema.js';
import { removeDir, type BotProcess } from '../../../scripts/support/botProcess.js';
import type { DiscordSandbox } from '../../../sandbox/index.js';
import { waitFor } from './reports.js';
import { stopBot } from './stack.js';

/** Helpers shared by the e2e tests that run several shards or machines on one Redis and PostgreSQL. */

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The `nth` guild id that Discord routes to `shard` of `shardCount`: (id >> 22) % shardCount. */
export function guildIdForShard(shard: number, shardCount: number, nth: number): string {
	const base = Date.UTC(2021, 0, 1) + nth * 1_000_000 - DISCORD_EPOCH;
	const ms = base + ((shard - (base % shardCount) + shardCount) % shardCount);
	return snowflake(ms + DISCORD_EPOCH, 0);
}

/** waitFor polling every 250 ms: fleet probes query Redis, PostgreSQL or a bot's API. */
export function waitUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string): Promise<T> {
	return waitFor(probe, timeoutMs, what, 250);
}

/** Removes what a fleet test left behind: its task queue's keys in Redis and its PostgreSQL schemas. */
export async function removeFleetData(queue: string | undefined, schemas: readonly string[]): Promise<void> {
	if (queue) {
		const redis = new Redis(LOCAL_REDIS_URL, { lazyConnect: true });
		await redis.connect();
		const keys = [...(await redis.keys(`bull:${queue}:*`)), ...(await redis.keys(`nexus:${queue}:*`))];
		if (keys.length) await redis.del(...keys);
		await redis.quit();
	}
	for (const schema of schemas) await dropSchema(schema, PG_URL);
}

/** Stops a fleet test's launcher and sandbox, then removes its data dir, Redis keys and schemas. */
export async function stopFleet(fleet: { manager?: BotProcess; sandbox?: DiscordSandbox; dataDir?: string; queue?: string; schemas: readonly string[] }): Promise<void> {
	if (fleet.manager) await stopBot(fleet.manager, 25_000);
	await fleet.sandbox?.stop();
	if (fleet.dataDir) removeDir(fleet.dataDir);
	await removeFleetData(fleet.queue, fleet.schemas);
}
