import { container } from '@sapphire/framework';
import { REST } from 'discord.js';
import { dirname, resolve } from 'node:path';
import type { Config } from '#root/config.js';
import { NexusClient } from '#lib/NexusClient.js';
import type { SetupResult } from '#lib/setup.js';
import { ApiService } from '#lib/api/ApiService.js';
import { ChartRenderer } from '#lib/charts/ChartRenderer.js';
import { ImageCache } from '#lib/charts/ImageCache.js';
import { ImageCacheSync } from '#lib/charts/ImageCacheSync.js';
import { CommandOutcomes } from '#lib/commands/CommandOutcomes.js';
import { fleetHealth } from '#lib/fleet/fleetHealth.js';
import { FleetService } from '#lib/fleet/FleetService.js';
import { FleetWindows } from '#lib/fleet/FleetWindows.js';
import { machineName } from '#lib/fleet/machineName.js';
import { RedisIdentifyThrottler } from '#lib/fleet/RedisIdentifyThrottler.js';
import { fleetViewKeys } from '#lib/fleet/fleetViewKeys.js';
import { installShardShutdown } from '#lib/fleet/installShardShutdown.js';
import { shardSample } from '#lib/fleet/shardSample.js';
import { GuildDeletionGuard } from '#lib/stats/GuildDeletionGuard.js';
import { voiceStatesOf } from '#lib/discord/voiceSnapshot.js';
import { waitForDiscord } from '#lib/discord/waitForDiscord.js';
import { gatewayCloser } from '#lib/discord/gatewayCloser.js';
import { GracefulShutdown } from '#lib/GracefulShutdown.js';
import { NexusLogger } from '#lib/logging/NexusLogger.js';
import { MetricsRegistry } from '#lib/metrics/MetricsRegistry.js';
import { addressOf, dependencyOfLogLine } from '#lib/monitoring/dependencyOfLogLine.js';
import { GatewayIncidents } from '#lib/monitoring/GatewayIncidents.js';
import { IncidentTracker } from '#lib/monitoring/IncidentTracker.js';
import { discordProvider } from '#lib/monitoring/discordProvider.js';
import { Monitor } from '#lib/monitoring/Monitor.js';
import { monitorOptionsFromConfig } from '#lib/monitoring/monitorConfig.js';
import { attachToRest } from '#lib/monitoring/RestLatencyTracker.js';
import { reporterMetrics } from '#lib/metrics/reporterMetrics.js';
import { RedisService } from '#lib/RedisService.js';
import { AnalyticsReportPoster } from '#lib/reporting/AnalyticsReportPoster.js';
import { DailyOpsLedger } from '#lib/reporting/DailyOpsLedger.js';
import { DailySummaryPoster } from '#lib/reporting/DailySummaryPoster.js';
import { ErrorFolder } from '#lib/reporting/ErrorFolder.js';
import { Redactor } from '#lib/reporting/Redactor.js';
import { RedisSendRateLimiter } from '#lib/reporting/RedisSendRateLimiter.js';
import { Reporter } from '#lib/reporting/Reporter.js';
import { ReporterLogStream } from '#lib/reporting/ReporterLogStream.js';
import { spoolDirFor } from '#lib/reporting/spoolDirFor.js';
import { SummaryClaims } from '#lib/reporting/SummaryClaims.js';
import { ServiceRegistry } from '#lib/ServiceRegistry.js';
import { SchedulerService } from '#lib/tasks/SchedulerService.js';
import { EmbeddedScheduler, type EmbeddedTaskEvents } from '#lib/tasks/EmbeddedScheduler.js';
import { LocalSummaryClaims } from '#lib/reporting/LocalSummaryClaims.js';
import { loadScheduledTaskListeners, ScheduledTaskEvents, ScheduledTaskStore, type ScheduledTask } from '#lib/tasks/scheduledTaskPlugin.js';
import { StatsService } from '#lib/stats/StatsService.js';
import { createLiveStats } from '#lib/live/createLiveStats.js';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { RecoveryJournal } from '#lib/stats/RecoveryJournal.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';

/**
 * Composition root: build the logger, client and services, wire signals, start, log in.
 * Services are created here once and hung on Sapphire's container (types/augments.ts); pieces only call them.
 * Runs after setup() (setup.ts), which registered the plugins this process uses.
 */
export async function boot(config: Config, { shard, servesApi, scheduler }: SetupResult): Promise<void> {
	const redactor = new Redactor(config.secrets);
	const logger = new NexusLogger({ level: config.LOG_LEVEL, redact: (text) => redactor.redact(text) });
	const machine = machineName(config);
	const client = new NexusClient(config, logger);
	// The reporter has a REST client of its own: discord.js clears its client's token on a failed
	// login and on destroy(), and the reporter must send (and replay its spool) before, during and after.
	const reporterRest = new REST(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}).setToken(config.DISCORD_TOKEN);
	// Without Redis: the same `scheduled-tasks` pieces are loaded into the plugin's store, and the EmbeddedScheduler runs them.
	if (scheduler.kind === 'embedded') {
		client.stores.register(new ScheduledTaskStore());
		loadScheduledTaskListeners();
	}
	logger.info(`Scheduler: ${scheduler.kind === 'bullmq' ? 'BullMQ on Redis' : 'embedded (in this process)'}, because ${scheduler.reason}.`);
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
			rest: reporterRest,
			channels: config.reportChannels,
			flushIntervalMs: config.REPORT_FLUSH_INTERVAL_MS,
			analyticsIntervalMs: config.REPORT_ANALYTICS_INTERVAL_MS,
			// Each shard process replays only its own spool (SHARDS is set by discord.js's ShardingManager).
			spoolDir: spoolDirFor(config.REPORT_SPOOL_DIR, process.env.SHARDS),
			spoolMaxBytes: config.REPORT_SPOOL_MAX_BYTES,
			channelRetryMs: config.REPORT_CHANNEL_RETRY_MS,
			secrets: config.secrets,
			// Discord REST outages and unavailable report channels are incidents (the tracker is created just below).
			incidents: {
				failure: (dependency, error) => container.incidents?.failure(dependency, error),
				down: (dependency, error) => container.incidents?.down(dependency, error),
				recovered: (dependency) => container.incidents?.recovered(dependency)
			},
			// Sharded: one budget per report channel for the whole fleet, kept in Redis (connected further down).
			limiter: shard.sharded && config.REDIS_URL
				? new RedisSendRateLimiter({
						redis: () => container.redis?.client,
						prefix: `nexus:${config.TASKS_QUEUE}:sendrate:`,
						fleetSize: shard.count,
						onModeChange: (mode, reason) => logger.warn(mode === 'local' ? `Report rate limits: Redis unavailable (${reason}); using this shard's share of each channel's budget.` : 'Report rate limits: shared through Redis again.')
					})
				: undefined
		})
	);
	// A dependency outage is one incident on Diagnostics (after INCIDENT_GRACE_MS), whoever notices it.
	container.incidents = services.add(
		new IncidentTracker({
			report: (input) => container.reporter.enqueue('diagnostics', input),
			graceMs: config.INCIDENT_GRACE_MS,
			repeatMs: config.ALERT_REPEAT_MINUTES * 60_000,
			log: { warn: (m) => logger.warn(m), info: (m) => logger.info(m) }
		})
	);
	// Shards disconnected longer than the grace are one 'discord-gateway' incident (listeners/monitoring).
	container.gatewayIncidents = new GatewayIncidents(() => container.incidents);
	// warn/info lines go batched to Logs, error/fatal to Diagnostics at once (identical ones folded into
	// counts, dependency connection failures into their incident); stdout keeps everything.
	const dependencyAddresses = { redis: addressOf(config.REDIS_URL), database: addressOf(config.DATABASE_URL) };
	const logStream: ReporterLogStream = new ReporterLogStream({
		reporter: container.reporter,
		dependencyOf: (message, error) => dependencyOfLogLine(message, error, dependencyAddresses),
		incident: (dependency, error) => container.incidents.failure(dependency, error),
		folder: services.add(new ErrorFolder({ windowMs: config.ERROR_FOLD_WINDOW_MS, emit: (folded) => logStream.folded(folded) })),
		// Real error lines count towards the error-rate monitor (user mistakes are never logged at error level).
		onError: (message) => container.monitor?.recordError('log', message.slice(0, 200))
	});
	logger.addSink(logStream.sink);

	const shardLabel = process.env.SHARDS?.split(',')[0] ?? '0';
	container.metrics = new MetricsRegistry({ shard: shardLabel });
	container.metrics.bindReporter(() => reporterMetrics(container.reporter.snapshot()));
	container.monitor = services.add(
		new Monitor({
			report: (channel, input) => container.reporter.enqueue(channel, input),
			...monitorOptionsFromConfig(config),
			// Per-process samples run on this process's own timers; fleet-level jobs are scheduled tasks.
			// Sharded, each process also samples its machine (no alerts) so the fleet's system job sees every machine.
			localTimers: config.MONITOR_ENABLED ? ['process', 'discord', 'memory', ...(shard.sharded ? (['system'] as const) : [])] : [],
			metrics: container.metrics,
			restWindowMs: config.MONITOR_REST_WINDOW_MS,
			diskPaths: ['/', dirname(resolve(config.SQLITE_PATH))],
			instance: process.env.SHARDS ? `shard ${process.env.SHARDS}` : `pid ${process.pid}`,
			fleet: shard.sharded ? () => fleetHealth(container.fleet?.latest) : undefined,
			machine,
			// Sharded, the once-per-fleet jobs merge every process's windows (published below through Redis).
			fleetMerge: shard.sharded
				? {
						errors: (own) => container.fleetWindows.errors(own),
						commands: (own) => container.fleetWindows.commands(own),
						machines: (own) => container.fleetWindows.machines(own),
						loadAlerts: (keys) => container.fleetWindows.loadAlerts(keys),
						saveAlerts: (states) => container.fleetWindows.saveAlerts(states)
					}
				: undefined,
			discord: discordProvider(client, () => container.monitor.commands.commandsServed)
		})
	);
	attachToRest(client.rest, container.monitor.rest);
	attachToRest(reporterRest, container.monitor.rest);

	// Start order = dependency order; stop runs in reverse (scheduler first, then stats flushes, ...).
	const store = await StatsStore.open({ ...databaseTarget(config.DATABASE_URL), sqlitePath: config.SQLITE_PATH });
	container.stats = services.add(
		new StatsService({
			store,
			voiceMinSeconds: config.VOICE_MIN_SESSION_SECONDS,
			// A local timer, not a BullMQ task: each process must flush its OWN memory (a shared repeatable runs on one process only).
			flushIntervalMs: config.STATS_ENABLED ? config.STATS_FLUSH_INTERVAL_MS : undefined,
			// A failing database is one incident (recovered by the next flush that writes), not an error post per flush.
			onError: (error) => {
				container.incidents.failure('database', error);
				logger.warn(`Statistics flush failed (deltas kept, will retry): ${(error as Error)?.message ?? String(error)}`);
			},
			voiceStatesOf: (guildId) => {
				const guild = client.guilds.cache.get(guildId);
				return guild ? voiceStatesOf(guild) : [];
			},
			// Per shard process, like the report spool: each replays only what it wrote.
			journal: new RecoveryJournal({ dir: spoolDirFor(config.STATS_RECOVERY_DIR, process.env.SHARDS) }),
			// Close the gateway before the final flush: an event arriving after it would be lost.
			stopCapture: gatewayCloser(client, { info: (m) => logger.info(m) }),
			log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) }
		})
	);

	// Guilds the bot is in again (any READY/GUILD_CREATE) keep their data: see the capture listeners.
	container.guildDeletions = new GuildDeletionGuard(store);

	// /guildstats rendering. Charts draw in worker threads (CHART_WORKERS): drawn here, a cold render
	// blocks the event loop for 15-45 ms (bench/render). The cache key holds the guild's data version.
	container.charts = services.add(
		new ChartRenderer({ workers: config.CHART_WORKERS, renderTimeoutMs: config.CHART_RENDER_TIMEOUT_MS, workerIdleExitMs: config.CHART_WORKER_IDLE_MS, onRender: (timing) => container.metrics.chartRenderSeconds.observe((timing.drawMs + timing.encodeMs) / 1000) })
	);
	container.imageCache = new ImageCache({ max: config.CHART_CACHE_MAX, ttlMs: config.CHART_CACHE_TTL_MS });
	container.metrics.bindImageCache(() => container.imageCache.stats());
	container.stats.onFlush(() => container.incidents.recovered('database'));
	// Images filed under an older data version can never be served again: free their slots now.
	container.stats.onFlush((info) => {
		for (const guildId of info.versionedGuildIds) container.imageCache.invalidateGuild(guildId);
	});

	// Live messages and counter channels: per-process timers, each process serving the guilds it owns.
	Object.assign(container, createLiveStats({ client, config, services, logger }));

	// Fleet-wide reporting jobs. Redis (our own connection, not BullMQ's) makes the daily summary
	// exactly-once across processes and keeps per-day uptime, restarts, health and alerts.
	// Without Redis there is one process: no fleet to coordinate, and nothing may connect to Redis.
	const redis = config.REDIS_URL
		? services.add(await RedisService.create({ url: config.REDIS_URL, connectionName: `nexus:${config.TASKS_QUEUE}`, log: { warn: (m) => logger.warn(m), info: (m) => logger.info(m) } }))
		: undefined;
	container.redis = redis;
	// Our own connection's state is the Redis incident's signal (BullMQ's retry log lines fold into it).
	if (redis) {
		redis.client.on('error', (error: Error) => container.incidents.failure('redis', error));
		redis.client.on('ready', () => container.incidents.recovered('redis'));
	}
	// Opt-outs and purges drop cached charts on every process at once (and reload their privacy lists).
	container.imageCacheSync = services.add(
		new ImageCacheSync({
			cache: container.imageCache,
			redis: redis?.client,
			channel: `nexus:${config.TASKS_QUEUE}:imagecache`,
			onRemote: (guildIds) => {
				// Cached report figures here are keyed by this process's data versions: move them on too.
				container.stats.outdateReports(guildIds);
				if (!guildIds) void container.stats.privacy.load().catch(() => false);
			},
			log: { warn: (m) => logger.warn(m) }
		})
	);
	// Each process publishes its own snapshot and metrics; any process reads the whole fleet (health report, /metrics).
	container.fleet = redis && services.add(
		new FleetService({
			redis: redis.client,
			keys: fleetViewKeys(config.TASKS_QUEUE),
			shard: shard.id,
			shardCount: shard.count,
			machine,
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
	// The sharded launcher requires REDIS_URL, so a shard always has Redis here.
	if (shard.sharded && redis) {
		// Identify is coordinated through Redis across every process of every machine: one per max_concurrency bucket per 5 s.
		(client.options.ws ??= {}).buildIdentifyThrottler = async (manager) => {
			const info = await manager.fetchGatewayInformation();
			return new RedisIdentifyThrottler({
				redis: () => redis.client,
				prefix: `nexus:${config.TASKS_QUEUE}:identify:`,
				maxConcurrency: info.session_start_limit.max_concurrency,
				holder: `${machine}/shard-${shard.id}`,
				log: { warn: (m) => logger.warn(m) }
			});
		};
		container.fleetWindows = services.add(
			new FleetWindows({
				redis: redis.client,
				keys: fleetViewKeys(config.TASKS_QUEUE),
				shard: shard.id,
				intervalMs: config.FLEET_PUBLISH_INTERVAL_MS,
				errors: () => container.monitor.errors.snapshot(),
				takeCommands: () => container.monitor.commands.takeWindow(),
				machine: () => container.monitor.machineReading()
			})
		);
	}
	const fleetKeys = `nexus:${config.TASKS_QUEUE}:`;
	container.opsLedger = redis && services.add(
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
	const opsLedger = container.opsLedger;
	container.dailySummary = new DailySummaryPoster({
		stats: container.stats,
		reporter: container.reporter,
		// One process: its own runs are serialised and the store's lastSummaryDate is the marker.
		claims: redis ? new SummaryClaims({ redis: redis.client, prefix: `${fleetKeys}summary:`, pendingTtlMs: config.DAILY_SUMMARY_CLAIM_TTL_MS }) : new LocalSummaryClaims(),
		retryPendingMs: config.DAILY_SUMMARY_CLAIM_TTL_MS + 5000,
		// container.charts when the chart service is wired; otherwise a renderer of our own, made on first use.
		charts: () => (container as { charts?: ChartRenderer }).charts ?? (ownCharts ??= new ChartRenderer()),
		ops: opsLedger && ((day) => opsLedger.read(day)),
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
		scheduler.kind === 'bullmq'
			? new SchedulerService({ tasks: () => container.tasks, store: () => container.stores.get('scheduled-tasks'), log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) } })
			: new EmbeddedScheduler({ tasks: () => container.stores.get('scheduled-tasks').repeatedTasks, events: scheduledTaskEvents(client), log: { info: (m) => logger.info(m), debug: (m) => logger.debug(m) } })
	);

	// After the scheduler, so it stops first (probes see the process leave) and listens before login (503 while Discord is unreachable).
	if (servesApi) {
		const ready = () => container.stores.get('listeners').has('PluginServerRequest');
		services.add(new ApiService({ server: container.server, ready, log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) } }));
	}

	await services.startAll();
	const stopped = () => shutdown.inProgress;
	if (!(await waitForDiscord({ apiUrl: config.DISCORD_API_URL, token: config.DISCORD_TOKEN, log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) }, stopped }))) return;
	await loginWithRetry(client, config.DISCORD_TOKEN, logger, stopped);
}

/** The BullMQ handler's client events, so the plugin's listeners (task errors to the log) serve both schedulers. */
function scheduledTaskEvents(client: NexusClient): EmbeddedTaskEvents<ScheduledTask> {
	return {
		run: (piece) => client.emit(ScheduledTaskEvents.ScheduledTaskRun, piece, undefined),
		success: (piece, result, duration) => client.emit(ScheduledTaskEvents.ScheduledTaskSuccess, piece, undefined, result, duration),
		error: (error, piece) => client.emit(ScheduledTaskEvents.ScheduledTaskError, error, piece, undefined),
		finished: (piece, duration) => client.emit(ScheduledTaskEvents.ScheduledTaskFinished, piece, duration, undefined)
	};
}

/** Discord answered the probe; a blip before login is retried (NexusClient makes a repeated login safe). */
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
