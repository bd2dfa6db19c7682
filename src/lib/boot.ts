import { container } from '@sapphire/framework';
import '@sapphire/plugin-subcommands/register';
import type { Config } from '#root/config.js';
import { NexusClient } from '#root/client.js';
import { CommandOutcomes } from '#lib/commands/CommandOutcomes.js';
import { GracefulShutdown } from '#lib/GracefulShutdown.js';
import { NexusLogger } from '#lib/logging/NexusLogger.js';
import { Redactor } from '#lib/reporting/Redactor.js';
import { Reporter } from '#lib/reporting/Reporter.js';
import { ReporterLogStream } from '#lib/reporting/ReporterLogStream.js';
import { ServiceRegistry } from '#lib/ServiceRegistry.js';
import { SchedulerService } from '#lib/tasks/SchedulerService.js';
import { StatsService } from '#lib/stats/StatsService.js';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';

/**
 * Composition root: build the logger, client and services, wire signals, start, log in.
 * Services are created here once and hung on Sapphire's container; pieces only call them.
 */
export async function boot(config: Config): Promise<void> {
	const redactor = new Redactor(config.secrets);
	const logger = new NexusLogger({ level: config.LOG_LEVEL, redact: (text) => redactor.redact(text) });
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
	shutdown.install();
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
			spoolDir: config.REPORT_SPOOL_DIR,
			spoolMaxBytes: config.REPORT_SPOOL_MAX_BYTES,
			channelRetryMs: config.REPORT_CHANNEL_RETRY_MS,
			secrets: config.secrets
		})
	);
	// warn/info lines go batched to Logs, error/fatal to Diagnostics at once; stdout keeps everything.
	logger.addSink(new ReporterLogStream({ reporter: container.reporter }).sink);

	// Start order = dependency order; stop runs in reverse (scheduler first, then stats flushes, ...).
	const store = await StatsStore.open({ ...databaseTarget(config.DATABASE_URL), sqlitePath: config.SQLITE_PATH });
	container.stats = services.add(
		new StatsService({
			store,
			voiceMinSeconds: config.VOICE_MIN_SESSION_SECONDS,
			// A local timer, not a BullMQ task: each process must flush its OWN memory (a shared repeatable runs on one process only).
			flushIntervalMs: config.STATS_ENABLED ? config.STATS_FLUSH_INTERVAL_MS : undefined,
			onError: (error) => logger.error('Statistics flush failed (deltas kept, will retry):', error)
		})
	);

	// Registered last so it stops first: no new job starts while the other services flush.
	container.scheduler = services.add(
		new SchedulerService({ tasks: () => container.tasks, store: () => container.stores.get('scheduled-tasks'), log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) } })
	);

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
		/** True once shutdown began: commands answer "restarting", capture keeps counting until flushed. */
		draining: boolean;
	}
}
