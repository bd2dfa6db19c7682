import { container } from '@sapphire/framework';
import { dirname, resolve } from 'node:path';
import '@sapphire/plugin-subcommands/register';
import type { Config } from '#root/config.js';
import { NexusClient } from '#root/client.js';
import { ApiService } from '#lib/api/ApiService.js';
import { ChartRenderer } from '#lib/charts/ChartRenderer.js';
import { ImageCache } from '#lib/charts/ImageCache.js';
import { CommandOutcomes } from '#lib/commands/CommandOutcomes.js';
import { fleetHealth } from '#lib/fleet/fleetHealth.js';
import { FleetService } from '#lib/fleet/FleetService.js';
import { fleetViewKeys } from '#lib/fleet/fleetViewKeys.js';
import { installShardShutdown } from '#lib/fleet/installShardShutdown.js';
import { shardIdentity } from '#lib/fleet/shardIdentity.js';
import { shardSample } from '#lib/fleet/shardSample.js';
import { gatewayCloser } from '#lib/discord/gatewayCloser.js';
import { GracefulShutdown } from '#lib/GracefulShutdown.js';
import { NexusLogger } from '#lib/logging/NexusLogger.js';
import { MetricsRegistry } from '#lib/metrics/MetricsRegistry.js';
import { discordProvider } from '#lib/monitoring/discordProvider.js';
import { Monitor, monitorOptionsFromConfig } from '#lib/monitoring/Monitor.js';
import { attachToRest } from '#lib/monitoring/RestLatencyTracker.js';
import { reporterMetrics } from '#lib/metrics/reporterMetrics.js';
import { RedisService } from '#lib/RedisService.js';
import { AnalyticsReportPoster } from '#lib/reporting/AnalyticsReportPoster.js';
import { DailyOpsLedger } from '#lib/reporting/DailyOpsLedger.js';
import { DailySummaryPoster } from '#lib/reporting/DailySummaryPoster.js';
import { Redactor } from '#lib/reporting/Redactor.js';
import { RedisSendRateLimiter } from '#lib/reporting/RedisSendRateLimiter.js';
import { Reporter } from '#lib/reporting/Reporter.js';
import { ReporterLogStream } from '#lib/reporting/ReporterLogStream.js';
import { spoolDirFor } from '#lib/reporting/spoolDirFor.js';
import { SummaryClaims } from '#lib/reporting/SummaryClaims.js';
import { ServiceRegistry } from '#lib/ServiceRegistry.js';
import { SchedulerService } from '#lib/tasks/SchedulerService.js';
import { StatsService } from '#lib/stats/StatsService.js';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { RecoveryJournal } from '#lib/stats/RecoveryJournal.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';

/**
 * Composition root: build the logger, client and services, wire signals, start, log in.
 * Services are created here once and hung on Sapphire's container; pieces only call them.
 */
export async function boot(config: Config): Promise<void> {
	const redactor = new Redactor(config.secrets);
	const logger = new NexusLogger({ level: config.LOG_LEVEL, redact: (text) => redactor.redact(text) });
	const shard = shardIdentity();
	// Sharded, one process serves the API (shard 0, on API_PORT), showing the whole fleet; the others would only collide on the port.
	const servesApi = config.API_PORT !== undefined && (!shard.sharded || shard.id === 0);
	// The HTTP API (metrics, health, dashboard) exists only with API_PORT: the plugin registers itself on import.
	if (servesApi) await import('@sapphire/plugin-api/register');
	const client = new NexusClient(config, logger);
	// The reporter may replay its spool before login finishes: give the REST client its token now.
	client.rest.setToken(config.DISCORD_TOKEN);
	const services = new ServiceRegistry();
	container.services = services;
	container.commandOutcomes = new CommandOutcomes();
	container.draining = false;

	const shutdown = new GracefulShutdown({
		services,
		beginDraining: () => (container.draining = true),
		destroyClient: () => client.destroy(),
		log: { info: (m) => logger.info(m), error: (m) => logger.error(m), flush: () => logger.flush() },
		deadlineMs: config.SHUTDOWN_TIMEOUT_MS
	});
	// Under the sharding manager, the manager drives shutdown (one 'shutdown' message per shard).
	if (shard.sharded) installShardShutdown({ run: (reason) => shutdown.run(reason), inProgress: () => shutdown.inProgress, log: { info: (m) => logger.info(m) } });
	else shutdown.install();
	process.on('unhandledRejection', (reason) => logger.error('Unhandled promise rejection:', reason));
	process.on('uncaughtException', (error) => {
		logger.fatal('Uncaught exception, shutting down:', error);
		void shutdown.run('uncaughtException');
	});

	container.reporter = services.add(
		new Reporter({
			rest: client.rest,
			channels: config.reportChannels,
			flushIntervalMs: config.REPORT_FLUSH_INTERVAL_MS,
			analyticsIntervalMs: config.REPORT_ANALYTICS_INTERVAL_MS,
			// Each shard process replays only its own spool (SHARDS is set by discord.js's ShardingManager).
			spoolDir: spoolDirFor(config.REPORT_SPOOL_DIR, process.env.SHARDS),
			spoolMaxBytes: config.REPORT_SPOOL_MAX_BYTES,
			channelRetryMs: config.REPORT_CHANNEL_RETRY_MS,
			secrets: config.secrets,
			// Sharded: one budget per report channel for the whole fleet, kept in Redis (connected further down).
			limiter: shard.sharded
				? new RedisSendRateLimiter({
						redis: () => container.redis?.client,
						prefix: `nexus:${config.TASKS_QUEUE}:sendrate:`,
						fleetSize: shard.count,
						onModeChange: (mode, reason) => logger.warn(mode === 'local' ? `Report rate limits: Redis unavailable (${reason}); using this shard's share of each channel's budget.` : 'Report rate limits: shared through Redis again.')
					})
				: undefined
		})
	);
	// warn/info lines go batched to Logs, error/fatal to Diagnostics at once; stdout keeps everything.
	logger.addSink(new ReporterLogStream({ reporter: container.reporter }).sink);

	const shardLabel = process.env.SHARDS?.split(',')[0] ?? '0';
	container.metrics = new MetricsRegistry({ shard: shardLabel });
	container.metrics.bindReporter(() => reporterMetrics(container.reporter.snapshot()));
	container.monitor = services.add(
		new Monitor({
			report: (channel, input) => container.reporter.enqueue(channel, input),
			...monitorOptionsFromConfig(config),
			// Per-process samples run on this process's own timers; fleet-level jobs are scheduled tasks.
			localTimers: config.MONITOR_ENABLED ? ['process', 'discord', 'memory'] : [],
			metrics: container.metrics,
			restWindowMs: config.MONITOR_REST_WINDOW_MS,
			diskPaths: ['/', dirname(resolve(config.SQLITE_PATH))],
			instance: process.env.SHARDS ? `shard ${process.env.SHARDS}` : `pid ${process.pid}`,
			fleet: shard.sharded ? () => fleetHealth(container.fleet?.latest) : undefined,
			discord: discordProvider(client, () => container.monitor.commands.commandsServed)
		})
	);
	attachToRest(client.rest, container.monitor.rest);
	// error/fatal lines count towards the error-rate monitor.
	logger.addSink((level, message) => {
		if (level >= 50) container.monitor.recordError('log', message.slice(0, 200));
	});

	// Start order = dependency order; stop runs in reverse (scheduler first, then stats flushes, ...).
	const store = await StatsStore.open({ ...databaseTarget(config.DATABASE_URL), sqlitePath: config.SQLITE_PATH });
	container.stats = services.add(
		new StatsService({
			store,
			voiceMinSeconds: config.VOICE_MIN_SESSION_SECONDS,
			// A local timer, not a BullMQ task: each process must flush its OWN memory (a shared repeatable runs on one process only).
			flushIntervalMs: config.STATS_ENABLED ? config.STATS_FLUSH_INTERVAL_MS : undefined,
			onError: (error) => logger.error('Statistics flush failed (counters kept, will retry):', error),
			// Per shard process, like the report spool: each replays only what it wrote.
			journal: new RecoveryJournal({ dir: spoolDirFor(config.STATS_RECOVERY_DIR, process.env.SHARDS) }),
			// Close the gateway before the final flush: an event arriving after it would be lost.
			stopCapture: gatewayCloser(client, { info: (m) => logger.info(m) }),
			log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) }
		})
	);

	// /guildstats rendering. Charts draw in worker threads (CHART_WORKERS): drawn here, a cold render
	// blocks the event loop for 15-45 ms (bench/render). The cache key holds the guild's data version.
	container.charts = services.add(
		new ChartRenderer({ workers: config.CHART_WORKERS, onRender: (timing) => container.metrics.chartRenderSeconds.observe((timing.drawMs + timing.encodeMs) / 1000) })
	);
	container.imageCache = new ImageCache({ max: config.CHART_CACHE_MAX, ttlMs: config.CHART_CACHE_TTL_MS });
	container.metrics.bindImageCache(() => container.imageCache.stats());
	// Images filed under an older data version can never be served again: free their slots now.
	container.stats.onFlush((info) => {
		for (const guildId of info.versionedGuildIds) container.imageCache.invalidateGuild(guildId);
	});

	// Fleet-wide reporting jobs. Redis (our own connection, not BullMQ's) makes the daily summary
	// exactly-once across processes and keeps per-day uptime, restarts, health and alerts.
	const redis = services.add(
		new RedisService({ url: config.REDIS_URL, connectionName: `nexus:${config.TASKS_QUEUE}`, log: { warn: (m) => logger.warn(m), info: (m) => logger.info(m) } })
	);
	container.redis = redis;
	// Each process publishes its own snapshot and metrics; any process reads the whole fleet (health report, /metrics).
	container.fleet = services.add(
		new FleetService({
			redis: redis.client,
			keys: fleetViewKeys(config.TASKS_QUEUE),
			shard: shard.id,
			shardCount: shard.count,
			intervalMs: config.FLEET_PUBLISH_INTERVAL_MS,
			collect: shardSample({
				client,
				events: async () => (await container.metrics.counterValues(container.metrics.gatewayEvents)).reduce((sum, entry) => sum + entry.value, 0),
				commands: () => container.monitor.commands.commandsServed,
				eventLoopP99Ms: () => container.monitor.latest.process?.eventLoop.delayP99Ms,
				draining: () => container.draining
			}),
			metricsText: () => container.metrics.metricsText(),
			log: { warn: (m) => logger.warn(m) }
		})
	);
	const fleetKeys = `nexus:${config.TASKS_QUEUE}:`;
	container.opsLedger = services.add(
		new DailyOpsLedger({
			redis: redis.client,
			prefix: `${fleetKeys}ops:`,
			// Polled, so monitoring needs no knowledge of the ledger (and may be absent).
			health: () => {
				const health = container.monitor?.latest.health;
				const score = health?.data.overall.score;
				return health && score !== null && score !== undefined ? { timestamp: health.timestamp, score } : undefined;
			},
			alerts: () => container.monitor?.activeAlerts() ?? []
		})
	);
	const guildName = (guildId: string) => client.guilds.cache.get(guildId)?.name;
	const channelName = (channelId: string) => {
		const channel = client.channels.cache.get(channelId);
		return channel && 'name' in channel && typeof channel.name === 'string' ? channel.name : undefined;
	};
	let ownCharts: ChartRenderer | undefined;
	container.dailySummary = new DailySummaryPoster({
		stats: container.stats,
		reporter: container.reporter,
		claims: new SummaryClaims({ redis: redis.client, prefix: `${fleetKeys}summary:`, pendingTtlMs: config.DAILY_SUMMARY_CLAIM_TTL_MS }),
		retryPendingMs: config.DAILY_SUMMARY_CLAIM_TTL_MS + 5000,
		// container.charts when the chart service is wired; otherwise a renderer of our own, made on first use.
		charts: () => (container as { charts?: ChartRenderer }).charts ?? (ownCharts ??= new ChartRenderer()),
		ops: (day) => container.opsLedger.read(day),
		guildName,
		channelName,
		// Every process flushes its counters at least this often: wait for the last minute of the day to land.
		settleMs: config.STATS_FLUSH_INTERVAL_MS + 5000,
		stopping: () => container.draining,
		log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) }
	});
	container.analyticsReport = new AnalyticsReportPoster({ stats: container.stats, reporter: container.reporter, intervalMs: config.REPORT_ANALYTICS_INTERVAL_MS, guildName });

	// Registered last so it stops first: no new job starts while the other services flush.
	container.scheduler = services.add(
		new SchedulerService({ tasks: () => container.tasks, store: () => container.stores.get('scheduled-tasks'), log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) } })
	);

	// After the scheduler, so it stops first (probes see the process leave) and listens before login (503 while Discord is unreachable).
	if (servesApi) {
		const ready = () => container.stores.get('listeners').has('PluginServerRequest');
		services.add(new ApiService({ server: container.server, ready, log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) } }));
	}

	await services.startAll();
	await loginWithRetry(client, config.DISCORD_TOKEN, logger, () => shutdown.inProgress);
}

/** Discord unreachable at start is not fatal: retry with capped backoff until it answers or we stop. */
async function loginWithRetry(client: NexusClient, token: string, logger: NexusLogger, stopped: () => boolean) {
	for (let attempt = 0; !stopped(); attempt++) {
		try {
			await client.login(token);
			return;
		} catch (error) {
			const code = (error as { code?: string }).code;
			if (code === 'TokenInvalid' || (error as { status?: number }).status === 401) throw error;
			const waitMs = Math.min(1000 * 2 ** attempt, 30_000);
			logger.warn(`Login failed (${(error as Error).message}); retrying in ${waitMs} ms.`);
			await new Promise((resolve) => setTimeout(resolve, waitMs));
		}
	}
}

declare module '@sapphire/pieces' {
	interface Container {
		services: ServiceRegistry;
		scheduler: SchedulerService;
		stats: StatsService;
		reporter: Reporter;
		charts: ChartRenderer;
		imageCache: ImageCache;
		metrics: MetricsRegistry;
		redis: RedisService;
		fleet: FleetService;
		opsLedger: DailyOpsLedger;
		dailySummary: DailySummaryPoster;
		analyticsReport: AnalyticsReportPoster;
		/** True once shutdown began: commands answer "restarting", capture keeps counting until flushed. */
		draining: boolean;
	}
}
