import { container } from '@sapphire/framework';
import type { Client } from 'discord.js';
import type { Config } from '#root/config.js';
import { GuildStatsReports } from '#lib/guildstats/GuildStatsReports.js';
import { guildNameSource } from '#lib/guildstats/guildNameSource.js';
import type { ServiceRegistry } from '#lib/ServiceRegistry.js';
import { CounterChannelService } from './CounterChannelService.js';
import { counterValueReader } from './counterValues.js';
import { LiveMessageService } from './LiveMessageService.js';
import { LiveStore } from './LiveStore.js';

/**
 * Builds the live-statistics services on the stats store, chart renderer and image cache already on
 * the container (called from boot after them, so they stop before the store closes).
 */
export function createLiveStats(o: { client: Client; config: Config; services: ServiceRegistry; logger: { info(message: string): void; warn(message: string, ...rest: unknown[]): void } }) {
	const { stats, charts, imageCache } = container;
	const liveStore = new LiveStore(stats.store.db);
	const reports = new GuildStatsReports({
		stats,
		timezoneOf: (guildId) => stats.store.guildTimezone(guildId),
		charts,
		cache: imageCache,
		views: { max: o.config.CHART_CACHE_MAX, ttlMs: o.config.CHART_CACHE_TTL_MS }
	});
	// "One notice": a WARNING event, sent once when a message or counter stops.
	const notify = (input: Parameters<typeof container.reporter.enqueue>[1]) => container.reporter.enqueue('diagnostics', input);
	const log = { info: (m: string) => o.logger.info(m), warn: (m: string, error?: unknown) => o.logger.warn(m, ...(error === undefined ? [] : [error])) };
	// Under the sharding manager this process serves shards client.shard.ids of client.shard.count.
	const shardIds = o.client.shard?.ids ?? [0];
	const shardCount = BigInt(o.client.shard?.count ?? 1);
	const liveMessages = o.services.add(
		new LiveMessageService({
			store: liveStore,
			client: o.client,
			ownsGuild: (guildId) => shardIds.includes(Number((BigInt(guildId) >> 22n) % shardCount)),
			render: (request, guild) =>
				reports.run(request, {
					id: guild.id,
					name: guild.name,
					memberCount: guild.memberCount,
					names: guildNameSource(guild, { onFetchError: (error) => log.warn('Live message: fetching member names failed:', error) })
				}),
			minuteMs: o.config.LIVE_MINUTE_MS,
			notify,
			log
		})
	);
	const counterValues = counterValueReader(stats);
	const counterChannels = o.services.add(
		new CounterChannelService({
			store: liveStore,
			client: o.client,
			values: counterValues,
			renameLimit: { limit: 2, windowMs: o.config.COUNTER_RENAME_WINDOW_MS, marginMs: Math.min(5000, Math.ceil(o.config.COUNTER_RENAME_WINDOW_MS / 50)) },
			notify,
			log
		})
	);
	return { liveStore, liveMessages, counterChannels, counterValues };
}
