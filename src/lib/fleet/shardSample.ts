import type { Client } from 'discord.js';
import type { ShardSample } from './FleetService.js';

/** discord.js `Status` enum names, by value (v14). */
const STATUS_NAMES = ['READY', 'CONNECTING', 'RECONNECTING', 'IDLE', 'NEARLY', 'DISCONNECTED', 'WAITING_FOR_GUILDS', 'IDENTIFYING', 'RESUMING'];

export interface ShardSampleSources {
	client: Client;
	/** Gateway dispatches received so far (the gateway-events counter, summed over types). */
	events: () => Promise<number> | number;
	commands: () => number;
	eventLoopP99Ms: () => number | null | undefined;
	draining: () => boolean;
}

/** Adapts this process's client, metrics and monitor to what it publishes to the fleet (cheap reads only). */
export function shardSample(sources: ShardSampleSources): () => Promise<ShardSample> {
	return async () => {
		const { client } = sources;
		const shards = [...client.ws.shards.values()];
		// A process runs one shard under the manager; with several, the worst status and ping speak for it.
		const statuses = shards.map((shard) => STATUS_NAMES[shard.status] ?? String(shard.status));
		const status = sources.draining() ? 'STOPPING' : (statuses.find((name) => name !== 'READY') ?? (statuses.length ? 'READY' : 'CONNECTING'));
		const pings = shards.map((shard) => shard.ping).filter((ping) => Number.isFinite(ping) && ping >= 0);
		return {
			status,
			pingMs: pings.length ? Math.max(...pings) : null,
			guilds: client.guilds.cache.size,
			events: await sources.events(),
			commands: sources.commands(),
			rssBytes: process.memoryUsage.rss(),
			eventLoopP99Ms: sources.eventLoopP99Ms() ?? null
		};
	};
}
