import type { Client } from 'discord.js';

/** Ids of the cached guilds carried by one gateway shard of this client. */
export function shardGuildIds(client: Client, shardId: number): Set<string> {
	const ids = new Set<string>();
	for (const guild of client.guilds.cache.values()) if (guild.shardId === shardId) ids.add(guild.id);
	return ids;
}
