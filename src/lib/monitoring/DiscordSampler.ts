import type { RestLatencyStats, RestLatencyTracker } from './RestLatencyTracker.js';

/** What the sampler needs from the discord.js client; the composition root adapts the client to it. */
export interface DiscordProvider {
	/** `status` as discord.js's Status enum (0 = Ready) or its name. `ping` is -1 until the first heartbeat ack. */
	shards(): { id: number; ping: number; status: number | string }[];
	guilds(): number;
	users(): number;
	channels(): number;
	uptimeMs(): number;
	commandsServed(): number;
}

export interface ShardSample {
	id: number;
	/** null until the first heartbeat was acknowledged. */
	pingMs: number | null;
	status: string;
	ready: boolean;
}

export interface DiscordSnapshot {
	at: number;
	shards: ShardSample[];
	shardCount: number;
	shardsReady: number;
	/** Gateway heartbeat latency over the shards with a measurement; null when none has one yet. */
	gatewayLatencyMs: { max: number | null; avg: number | null; worstShard: number | null };
	guilds: number;
	users: number;
	channels: number;
	uptimeMs: number;
	commandsServed: number;
	/** Commands per minute since the previous sample (0 on the first). */
	commandsPerMinute: number;
	rest: RestLatencyStats;
}

/** discord.js `Status` enum names, by value (v14). */
const STATUS_NAMES = ['READY', 'CONNECTING', 'RECONNECTING', 'IDLE', 'NEARLY', 'DISCONNECTED', 'WAITING_FOR_GUILDS', 'IDENTIFYING', 'RESUMING'];

export class DiscordSampler {
	private previous: { at: number; commands: number } | undefined;

	public constructor(
		private readonly provider: DiscordProvider,
		public readonly rest: RestLatencyTracker,
		private readonly now: () => number = Date.now
	) {}

	public sample(): DiscordSnapshot {
		const at = this.now();
		const shards = this.provider.shards().map((shard): ShardSample => {
			const status = typeof shard.status === 'number' ? (STATUS_NAMES[shard.status] ?? String(shard.status)) : shard.status.toUpperCase();
			return { id: shard.id, pingMs: shard.ping >= 0 && Number.isFinite(shard.ping) ? shard.ping : null, status, ready: status === 'READY' };
		});
		let max: number | null = null;
		let worstShard: number | null = null;
		let sum = 0;
		let measured = 0;
		for (const shard of shards) {
			if (shard.pingMs === null) continue;
			sum += shard.pingMs;
			measured++;
			if (max === null || shard.pingMs > max) {
				max = shard.pingMs;
				worstShard = shard.id;
			}
		}
		const commandsServed = this.provider.commandsServed();
		const previous = this.previous;
		this.previous = { at, commands: commandsServed };
		const minutes = previous ? (at - previous.at) / 60_000 : 0;
		return {
			at,
			shards,
			shardCount: shards.length,
			shardsReady: shards.filter((shard) => shard.ready).length,
			gatewayLatencyMs: { max, avg: measured > 0 ? sum / measured : null, worstShard },
			guilds: this.provider.guilds(),
			users: this.provider.users(),
			channels: this.provider.channels(),
			uptimeMs: this.provider.uptimeMs(),
			commandsServed,
			commandsPerMinute: previous && minutes > 0 ? Math.max(0, commandsServed - previous.commands) / minutes : 0,
			rest: this.rest.stats()
		};
	}
}
