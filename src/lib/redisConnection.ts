import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from a redis:// URL. `maxRetriesPerRequest: null` keeps BullMQ calls waiting
 * through a Redis outage instead of rejecting after about 4 minutes of retries (seen with bullmq 5.58); the retry
 * strategy caps reconnect backoff at 20 s.
 */
export function redisConnectionOptions(url: string): RedisOptions {
	const parsed = new URL(url);
	const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
	return {
		host: parsed.hostname,
		port: parsed.port ? Number(parsed.port) : 6379,
		username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
		password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
		db: Number.isFinite(db) ? db : 0,
		tls: parsed.protocol === 'rediss:' ? {} : undefined,
		maxRetriesPerRequest: null,
		enableOfflineQueue: true,
		retryStrategy: (attempt) => Math.min(500 * 2 ** Math.min(attempt, 6), 20_000)
	};
}
