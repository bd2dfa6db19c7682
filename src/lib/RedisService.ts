import type { Redis } from 'ioredis';
import { redisConnectionOptions } from '#lib/redisConnection.js';
import type { Service } from '#lib/ServiceRegistry.js';

export interface RedisServiceOptions {
	url: string;
	/** Shown in `CLIENT LIST`, e.g. "nexus:shard-0". */
	connectionName?: string;
	log: { warn: (message: string) => void; info: (message: string) => void };
}

/**
 * The bot's own Redis connection for fleet coordination (daily summary claims, the ops ledger),
 * separate from BullMQ's. Unlike BullMQ's connection, a command gives up after a few reconnect
 * attempts instead of waiting forever, so a caller (a scheduled task) fails and retries on its next
 * run rather than hanging through an outage. Redis down at start is not fatal: we connect in the
 * background and say so once per outage. `create` loads ioredis only then: a bot without REDIS_URL
 * never does (8 MB of RSS).
 */
export class RedisService implements Service {
	public readonly name = 'redis';
	public readonly client: Redis;
	private down = false;

	public static async create(options: RedisServiceOptions): Promise<RedisService> {
		const { Redis } = await import('ioredis');
		return new RedisService(options, new Redis({ ...redisConnectionOptions(options.url), maxRetriesPerRequest: 3, lazyConnect: true, connectionName: options.connectionName }));
	}

	private constructor(
		private readonly options: RedisServiceOptions,
		client: Redis
	) {
		this.client = client;
		this.client.on('error', (error: Error) => {
			if (this.down) return;
			this.down = true;
			this.options.log.warn(`Redis (coordination) unreachable: ${error.message}; retrying in the background.`);
		});
		this.client.on('ready', () => {
			if (!this.down) return;
			this.down = false;
			this.options.log.info('Redis (coordination) reachable again.');
		});
	}

	public start(): void {
		// Not awaited: ioredis keeps retrying, and commands queue until it is back (or give up after a few attempts).
		this.client.connect().catch(() => undefined);
	}

	public async stop(signal?: AbortSignal): Promise<void> {
		if (this.client.status !== 'ready') {
			this.client.disconnect();
			return;
		}
		const timeout = new Promise<void>((resolve) => {
			const timer = setTimeout(resolve, 1000);
			timer.unref();
			signal?.addEventListener('abort', () => resolve(), { once: true });
		});
		await Promise.race([this.client.quit().then(() => undefined, () => undefined), timeout]);
		this.client.disconnect();
	}
}
