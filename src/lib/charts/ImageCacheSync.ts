import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Service } from '#lib/ServiceRegistry.js';

export interface ImageCacheSyncOptions {
	cache: { invalidateGuild(guildId: string): number; clear(): void };
	/** The fleet's coordination connection; without it (one process) invalidation stays local. */
	redis?: Redis;
	/** Pub/sub channel shared by the fleet, e.g. "nexus:<queue>:imagecache". */
	channel: string;
	/** Another process changed what reports show: every guild (an opt-out/in) or the given ones (a purge). */
	onRemote?: (guildIds: string[] | undefined) => void;
	log: { warn: (message: string) => void };
}

interface InvalidationMessage {
	origin: string;
	all?: true;
	guildIds?: string[];
}

/**
 * Drops cached chart images on every process of the fleet at once. A member's opt-out touches every
 * guild they are in, and those guilds are served by other shards, whose caches (keyed by their own
 * data versions) would otherwise serve the old images until the TTL ends. Local first, then one
 * Redis PUBLISH; each process subscribes on its own connection (a subscribed connection can run
 * nothing else). Redis down: the local cache is still cleared and the warning says the others
 * catch up at CHART_CACHE_TTL_MS.
 */
export class ImageCacheSync implements Service {
	public readonly name = 'imageCacheSync';
	private readonly origin = randomUUID();
	private subscriber: Redis | undefined;

	public constructor(private readonly options: ImageCacheSyncOptions) {}

	public start(): void {
		if (!this.options.redis) return;
		const subscriber = this.options.redis.duplicate({ lazyConnect: true });
		this.subscriber = subscriber;
		// Errors are the coordination connection's to report (RedisService warns once per outage).
		subscriber.on('error', () => undefined);
		subscriber.on('message', (channel: string, raw: string) => {
			if (channel === this.options.channel) this.receive(raw);
		});
		// ioredis re-subscribes after a reconnect.
		subscriber.connect().then(
			() => subscriber.subscribe(this.options.channel),
			() => undefined
		);
	}

	public stop(): void {
		this.subscriber?.disconnect();
		this.subscriber = undefined;
	}

	/** A guild's stored data changed for everyone (purge). */
	public invalidateGuilds(guildIds: readonly string[]): void {
		for (const guildId of guildIds) this.options.cache.invalidateGuild(guildId);
		this.publish({ origin: this.origin, guildIds: [...guildIds] });
	}

	/** A member opted out or in: every guild they are in may show them. */
	public invalidateAll(): void {
		this.options.cache.clear();
		this.publish({ origin: this.origin, all: true });
	}

	private publish(message: InvalidationMessage): void {
		const redis = this.options.redis;
		if (!redis) return;
		redis.publish(this.options.channel, JSON.stringify(message)).catch((error: Error) => {
			this.options.log.warn(`Could not tell the other processes to drop cached charts (${error.message}); theirs expire within the cache lifetime.`);
		});
	}

	private receive(raw: string): void {
		let message: InvalidationMessage;
		try {
			message = JSON.parse(raw) as InvalidationMessage;
		} catch {
			return;
		}
		if (message.origin === this.origin) return;
		const guildIds = message.all ? undefined : (message.guildIds ?? []).filter((guildId) => typeof guildId === 'string');
		if (!guildIds) this.options.cache.clear();
		else for (const guildId of guildIds) this.options.cache.invalidateGuild(guildId);
		this.options.onRemote?.(guildIds);
	}
}
