import { join } from 'node:path';

/**
 * The reporter's spool directory for this process. Under discord.js's ShardingManager every shard
 * is its own process and must replay only its own spool, so each gets `<dir>/shard-<first id>`
 * (the manager sets SHARDS to a shard id or a JSON list of ids). Unsharded: `<dir>` as configured.
 */
export function spoolDirFor(baseDir: string, shardsEnv: string | undefined): string {
	if (shardsEnv === undefined || shardsEnv.trim() === '') return baseDir;
	let first: unknown;
	try {
		const parsed: unknown = JSON.parse(shardsEnv);
		first = Array.isArray(parsed) ? parsed[0] : parsed;
	} catch {
		first = undefined;
	}
	const id = Number.isSafeInteger(first) && (first as number) >= 0 ? (first as number) : 0;
	return join(baseDir, `shard-${id}`);
}
