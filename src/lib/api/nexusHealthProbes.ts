import { Status } from 'discord.js';
import { sql, type Kysely } from 'kysely';
import type { HealthProbe } from './HealthChecks.js';

export interface GatewayShardState {
	id: number;
	status: Status;
}

/** The slice of an ioredis client the probe uses. */
export interface PingableRedis {
	status: string;
	ping(): Promise<string>;
}

export interface NexusHealthDeps {
	/** Shards of this process (`client.ws.shards`). */
	shards: () => Iterable<GatewayShardState>;
	/** The BullMQ connection (`await container.tasks.client.client`): the scheduler is what needs Redis. Absent without REDIS_URL (embedded scheduler): no probe. */
	redis?: () => Promise<PingableRedis> | PingableRedis;
	/** The statistics database. */
	db: () => Kysely<any>;
}

/**
 * What /api/health checks: the gateway is connected (every shard READY), Redis answers PING (only with REDIS_URL), the
 * store answers a trivial query. Redis is only pinged on a ready connection: while ioredis is
 * reconnecting, a PING would sit in the offline queue (BullMQ waits forever by design), and
 * probes arriving every few seconds would pile up there until Redis came back.
 */
export function nexusHealthProbes(deps: NexusHealthDeps): Record<string, HealthProbe> {
	const { redis } = deps;
	return {
		gateway: () => {
			const shards = [...deps.shards()];
			if (shards.length === 0) throw new Error('no shard connected');
			const down = shards.filter((shard) => shard.status !== Status.Ready);
			if (down.length > 0) throw new Error(down.map((shard) => `shard ${shard.id} ${Status[shard.status] ?? shard.status}`).join(', '));
		},
		...(redis && {
			redis: async () => {
				const connection = await redis();
				if (connection.status !== 'ready') throw new Error(`connection ${connection.status}`);
				const answer = await connection.ping();
				if (answer !== 'PONG') throw new Error('unexpected PING answer');
			}
		}),
		store: async () => {
			await sql`select 1 as one`.execute(deps.db());
		}
	};
}
