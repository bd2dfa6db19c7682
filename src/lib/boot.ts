import { container } from '@sapphire/framework';
import '@sapphire/plugin-subcommands/register';
import type { Config } from '#root/config.js';
import { NexusClient } from '#root/client.js';
import { CommandOutcomes } from '#lib/commands/CommandOutcomes.js';
import { GracefulShutdown } from '#lib/GracefulShutdown.js';
import { NexusLogger } from '#lib/logging/NexusLogger.js';
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
	const redact = (text: string) => config.secrets.reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
	const logger = new NexusLogger({ level: config.LOG_LEVEL, redact });
	const client = new NexusClient(config, logger);
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
		/** True once shutdown began: commands answer "restarting", capture keeps counting until flushed. */
		draining: boolean;
	}
}
