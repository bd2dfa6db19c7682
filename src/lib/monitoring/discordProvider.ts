import type { Client } from 'discord.js';
import type { DiscordProvider } from '#lib/monitoring/DiscordSampler.js';

/** Adapts the discord.js client to what the Discord sampler reads (cheap: cache sizes and shard pings). */
export function discordProvider(client: Client, commandsServed: () => number = () => 0): DiscordProvider {
	return {
		shards: () => [...client.ws.shards.values()].map((shard) => ({ id: shard.id, ping: shard.ping, status: shard.status })),
		guilds: () => client.guilds.cache.size,
		users: () => client.guilds.cache.reduce((sum, guild) => sum + guild.memberCount, 0),
		channels: () => client.channels.cache.size,
		uptimeMs: () => client.uptime ?? 0,
		commandsServed
	};
}
