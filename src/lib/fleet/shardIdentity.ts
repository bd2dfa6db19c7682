/** Which shard(s) this process runs, from the environment discord.js's ShardingManager gives each child. */
export interface ShardIdentity {
	/** First shard id of this process (0 when not sharded): the `shard` label of its metrics. */
	id: number;
	/** Shards in the whole fleet (1 when not sharded). */
	count: number;
	/** True under the sharding manager (SHARDING_MANAGER is set in the child's env). */
	sharded: boolean;
}

/** SHARDS is a shard id ("2") or a JSON list ("[2,5]"); SHARD_COUNT the fleet size. */
export function shardIdentity(env: NodeJS.ProcessEnv = process.env): ShardIdentity {
	let first: unknown;
	try {
		const parsed: unknown = env.SHARDS === undefined ? undefined : JSON.parse(env.SHARDS);
		first = Array.isArray(parsed) ? parsed[0] : parsed;
	} catch {
		first = undefined;
	}
	const id = Number.isSafeInteger(first) && (first as number) >= 0 ? (first as number) : 0;
	const count = Number(env.SHARD_COUNT);
	return {
		id,
		count: Number.isSafeInteger(count) && count > id ? count : id + 1,
		sharded: env.SHARDING_MANAGER !== undefined && env.SHARDING_MANAGER !== '' && env.SHARDING_MANAGER !== 'false'
	};
}
