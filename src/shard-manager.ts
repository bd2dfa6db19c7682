import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadEntryConfig } from '#lib/loadEntryConfig.js';

// Sharded launch (`pm2 start ecosystem.config.cjs --only nexus-shards`): one manager process that
// runs SHARD_COUNT shard processes of dist/index.js. Same start-up rules as index.ts: project folder
// as cwd, optional .env, every config problem reported at once before anything starts.
const config = loadEntryConfig();
// Several processes must share one schedule (else every shard runs every job) and coordinate the fleet: both need Redis.
if (config.REDIS_URL === undefined) {
	process.stderr.write(
		'Nexus cannot start sharded: REDIS_URL is not set.\n' +
			'  Several shard processes share their scheduled tasks and fleet view through Redis; without it each shard would run every job.\n' +
			'  Set REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379), or run one process with `npm start` (embedded scheduler, no Redis needed).\n'
	);
	process.exit(1);
}

const { NexusLogger } = await import('#lib/logging/NexusLogger.js');
const { Redactor } = await import('#lib/reporting/Redactor.js');
const { ShardSupervisor } = await import('#lib/fleet/ShardSupervisor.js');
const { resolveShardPlan } = await import('#lib/fleet/resolveShardPlan.js');
const { machineShards, describeShardIds } = await import('#lib/fleet/machineShards.js');
const { ShardClaims } = await import('#lib/fleet/ShardClaims.js');
const { machineName } = await import('#lib/fleet/machineName.js');
const { Redis } = await import('ioredis');
const { redisConnectionOptions } = await import('#lib/redisConnection.js');

const redactor = new Redactor(config.secrets);
const logger = new NexusLogger({ level: config.LOG_LEVEL, redact: (text) => redactor.redact(text) });
const log = { info: (m: string) => logger.info(`[shard-manager] ${m}`), warn: (m: string) => logger.warn(`[shard-manager] ${m}`), error: (m: string) => logger.error(`[shard-manager] ${m}`) };

const machine = machineName(config);
// Which machine runs which shard, kept in Redis: overlapping ranges are refused at start.
const redis = new Redis({ ...redisConnectionOptions(config.REDIS_URL), maxRetriesPerRequest: 3, lazyConnect: true, connectionName: `nexus:${config.TASKS_QUEUE}:launcher` });
redis.on('error', () => undefined);
const claims = new ShardClaims({ redis, prefix: `nexus:${config.TASKS_QUEUE}:shard-owner:`, machine });
const closeRedis = async () => {
	await claims.release();
	await redis.quit().catch(() => redis.disconnect());
};

let supervisor: InstanceType<typeof ShardSupervisor> | undefined;
let stopping = false;
const onSignal = (reason: string) => {
	if (stopping) {
		// A second signal (Ctrl+C twice) means now, as in a single process.
		log.error(`Second ${reason} while stopping: killing the shards now.`);
		supervisor?.killAll();
		logger.flush();
		process.exit(1);
	}
	stopping = true;
	log.info(`${reason}: stopping the fleet.`);
	const stopped = supervisor ? supervisor.stop() : Promise.resolve({ exited: 0, killed: 0 });
	void stopped.then(async ({ exited, killed }) => {
		// Only now are the shards free for another machine: every one of ours has flushed and exited.
		await closeRedis();
		log.info(`Fleet stopped: ${exited} shard(s) exited cleanly${killed ? `, ${killed} killed at the deadline` : ''}.`);
		logger.flush();
		process.exit(0);
	});
};
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('message', (message) => message === 'shutdown' && onSignal('shutdown message'));

try {
	const plan = await resolveShardPlan({ shardCount: config.SHARD_COUNT, apiUrl: config.DISCORD_API_URL, token: config.DISCORD_TOKEN, log, stopped: () => stopping });
	if (plan && !stopping) {
		const shardIds = machineShards(plan.totalShards, {
			shardIds: config.SHARD_IDS,
			machineIndex: config.SHARD_MACHINE_INDEX,
			machineCount: config.SHARD_MACHINE_COUNT,
			hostname: os.hostname()
		});
		await redis.connect();
		await claims.claim(shardIds, (error) => log.error(`Shard claims: ${error.message}`));
		log.info(`Machine "${machine}" runs shard(s) ${describeShardIds(shardIds)} of ${plan.totalShards}.`);
		// The shards' processes inherit these: their machine's name, and which of them serves this machine's API.
		process.env.MACHINE_NAME = machine;
		process.env.NEXUS_API_SHARD = String(shardIds[0]);
		supervisor = new ShardSupervisor({
			file: fileURLToPath(new URL('./index.js', import.meta.url)),
			token: config.DISCORD_TOKEN,
			totalShards: plan.totalShards,
			shardIds,
			maxConcurrency: plan.maxConcurrency,
			execArgv: process.execArgv,
			// The shards' own deadline plus a margin for exiting; pm2's kill_timeout is above this.
			stopTimeoutMs: config.SHUTDOWN_TIMEOUT_MS + 2000,
			log
		});
		await supervisor.start();
		log.info(`All ${shardIds.length} shard(s) started.`);
		// pm2 wait_ready: the manager counts as up once its shards are.
		if (!stopping) process.send?.('ready');
	}
} catch (error) {
	log.error(`Cannot start the fleet: ${redactor.redact(error instanceof Error ? error.message : String(error))}`);
	redis.disconnect();
	logger.flush();
	process.exit(1);
}
