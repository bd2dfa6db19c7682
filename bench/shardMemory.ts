// bench/shardMemory: resident memory per shard of the REAL bot, two ways of holding N shards:
//   - process per shard: dist/shard-manager.js (discord.js ShardingManager), N processes + the manager;
//   - internal sharding: ONE dist/index.js process whose discord.js client runs all N shards
//     (SHARDS=[0..N-1], SHARD_COUNT=N: discord.js reads both from the environment).
// Both against the same N-shard sandbox (one small guild per shard), same PostgreSQL-free SQLite store,
// measured from /proc (VmRSS) once every shard is READY and the processes have settled. The figure
// that matters is the fixed cost: what each extra shard costs beyond its guilds' data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DiscordSandbox, DISCORD_EPOCH, seedGuild, snowflake } from '../sandbox/index.js';
import { isolatedEnv, removeDir, ROOT, startBotProcess, type BotProcess, LOCAL_REDIS_URL } from '../scripts/support/botProcess.js';

const SHARDS = Number(process.env.BENCH_MEMORY_SHARDS ?? 4);
const SETTLE_MS = Number(process.env.BENCH_MEMORY_SETTLE_MS ?? 8000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = 1024 * 1024;

function guilds() {
	return [...Array(SHARDS).keys()].map((shard) => {
		const base = Date.UTC(2022, 0, 1) + shard * 1_000_000 - DISCORD_EPOCH;
		const id = snowflake(base + ((shard - (base % SHARDS) + SHARDS) % SHARDS) + DISCORD_EPOCH, 0);
		return seedGuild({ id, name: `mem ${shard}`, seed: 51 + shard, members: 100, inVoice: 0 });
	});
}

function rssBytes(pid: number): number {
	const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) * 1024 : 0;
}

function childrenOf(pid: number): number[] {
	const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
	return text ? text.split(/\s+/).map(Number) : [];
}

async function measure(variant: 'processes' | 'internal'): Promise<{ totalBytes: number; processes: number }> {
	const sandbox = await DiscordSandbox.start({ guilds: guilds(), shardCount: SHARDS, maxConcurrency: SHARDS });
	const common = { REDIS_URL: LOCAL_REDIS_URL, CHART_WORKERS: '0', MONITOR_ENABLED: 'false', LOG_LEVEL: 'warn' };
	const { env, dataDir } =
		variant === 'processes'
			? isolatedEnv(sandbox.apiUrl, { ...common, SHARD_COUNT: String(SHARDS) })
			: isolatedEnv(sandbox.apiUrl, { ...common, SHARDS: JSON.stringify([...Array(SHARDS).keys()]), SHARD_COUNT: String(SHARDS) });
	let bot: BotProcess | undefined;
	try {
		bot = startBotProcess(env, dataDir, variant === 'processes' ? join(ROOT, 'dist/shard-manager.js') : join(ROOT, 'dist/index.js'));
		for (let shard = 0; shard < SHARDS; shard++) await sandbox.waitForReady({ shardId: shard, timeoutMs: 90_000 });
		await sleep(SETTLE_MS);
		const pids = [bot.proc.pid!, ...(variant === 'processes' ? childrenOf(bot.proc.pid!) : [])];
		return { totalBytes: pids.reduce((sum, pid) => sum + rssBytes(pid), 0), processes: pids.length };
	} finally {
		bot?.kill('SIGTERM');
		await bot?.exited;
		await sandbox.stop();
		removeDir(dataDir);
		const redis = new Redis({ host: '127.0.0.1', port: 6379 });
		const keys = [...(await redis.keys(`bull:${env.TASKS_QUEUE}:*`)), ...(await redis.keys(`nexus:${env.TASKS_QUEUE}:*`))];
		if (keys.length) await redis.del(...keys);
		await redis.quit();
	}
}

export async function run(): Promise<void> {
	const internal = await measure('internal');
	const processes = await measure('processes');
	const row = (name: string, figures: { totalBytes: number; processes: number }) =>
		`| ${name} | ${figures.processes} | ${(figures.totalBytes / MB).toFixed(0)} MB | ${(figures.totalBytes / SHARDS / MB).toFixed(0)} MB |`;
	console.log(`${SHARDS} shards, one 100-member guild each, every shard READY, after ${SETTLE_MS} ms of settling:`);
	console.log('| variant | processes | RSS total | RSS per shard |');
	console.log('|---|---|---|---|');
	console.log(row('internal sharding (1 process, discord.js shards option)', internal));
	console.log(row('process per shard (ShardingManager, incl. the manager)', processes));
	console.log(`process per shard / internal: ${(processes.totalBytes / internal.totalBytes).toFixed(2)}x the memory`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run().then(() => process.exit(0));
