// bench/shards: gateway events handled per second by the REAL bot as 1 process vs 3 shard processes
// (dist/shard-manager.js), on this machine. The sandbox floods MESSAGE_CREATE over its gateway to
// three guilds (one per shard of 3; all on shard 0 of the 1-shard run), with a bounded number in
// flight; the bots capture into PostgreSQL as in production. The flood reuses 32 real message
// payloads per guild with fresh ids (sandbox.dispatch), so the generator, which shares the machine's
// cores with the bots, costs as little as possible per event. "Handled" is read from the bots'
// own fleet snapshots in Redis (gateway events counter, published every 250 ms, stamped with the
// time it was read), and the store must hold every message afterwards: nothing dropped to go fast.
// A third run is the control: 3 shards, but all traffic in shard 0's guild (two shards idle), to
// tell the cost of a shard process from the cost of several busy processes sharing the cores.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DiscordSandbox, DISCORD_EPOCH, seedGuild, snowflake } from '../sandbox/index.js';
import { isolatedEnv, LOCAL_REDIS_URL, removeDir, ROOT, startBotProcess } from '../scripts/support/botProcess.js';
import { readStoreTotals } from '../scripts/support/storeTotals.js';

const N = Number(process.env.BENCH_SHARDS_EVENTS ?? 300_000);
const ROUNDS = Number(process.env.BENCH_SHARDS_ROUNDS ?? 2);
/** Events sent but not yet handled, at most: enough to keep every shard busy, bounded memory. */
const IN_FLIGHT = 25_000;
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Snapshot {
	shard: number;
	ts: number;
	events: number;
}

/** Three guilds that Discord routes to shards 0, 1 and 2 of 3. */
function guilds() {
	return [0, 1, 2].map((shard) => {
		const base = Date.UTC(2022, 0, 1) + shard * 1_000_000 - DISCORD_EPOCH;
		const id = snowflake(base + ((shard - (base % 3) + 3) % 3) + DISCORD_EPOCH, 0);
		return seedGuild({ id, name: `bench ${shard}`, seed: 21 + shard, members: 200, inVoice: 0 });
	});
}

/** CPU seconds (user + system) used so far by the bot processes: the process itself, or the manager's children. */
function botCpuSeconds(pid: number, shards: number): number {
	const pids = shards === 1 ? [pid] : readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
	let ticks = 0;
	for (const id of pids) {
		// Fields after the command name: state is 3rd, utime 14th, stime 15th.
		const fields = readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1]!.split(' ');
		ticks += Number(fields[11]) + Number(fields[12]);
	}
	return ticks / 100;
}

async function fleetEvents(redis: Redis, queue: string): Promise<Snapshot[]> {
	const raw = await redis.hgetall(`nexus:${queue}:fleet`);
	return Object.values(raw).map((json) => JSON.parse(json) as Snapshot);
}

type Variant = 'single' | 'spread' | 'one-shard-busy';

interface Result {
	variant: Variant;
	shards: number;
	eventsPerSecond: number;
	seconds: number;
	/** Bot CPU (all shard processes) per event, over the flood. */
	cpuMicros: number;
	stored: number;
}

async function measure(variant: Variant): Promise<Result> {
	const shards = variant === 'single' ? 1 : 3;
	// Which guild (= which shard of 3) event i goes to.
	const guildOf = (i: number) => (variant === 'spread' ? i % 3 : 0);
	const seeds = guilds();
	const sandbox = await DiscordSandbox.start({ guilds: seeds, shardCount: shards, maxConcurrency: shards, rateLimits: false });
	// Real payloads, made before any bot connects (so nobody receives these).
	const templates = seeds.map((guild) => {
		const channels = guild.channels.filter((channel) => channel.type === 0).map((channel) => channel.id);
		const authors = guild.members.filter((member) => !member.user.bot).map((member) => member.user.id);
		return [...Array(32).keys()].map((k) => sandbox.sendMessage({ guildId: guild.id, channelId: channels[k % channels.length]!, authorId: authors[(k * 7) % authors.length]! }));
	});
	const schema = `bench_shards_${randomBytes(4).toString('hex')}`;
	const databaseUrl = `${PG}?schema=${schema}`;
	const { env, dataDir } = isolatedEnv(sandbox.apiUrl, {
		DATABASE_URL: databaseUrl,
		REDIS_URL: LOCAL_REDIS_URL,
		LOG_LEVEL: 'warn',
		STATS_FLUSH_INTERVAL_MS: '2000',
		FLEET_PUBLISH_INTERVAL_MS: '250',
		CHART_WORKERS: '0',
		SHARD_COUNT: shards > 1 ? String(shards) : undefined
	});
	const bot = startBotProcess(env, dataDir, shards > 1 ? join(ROOT, 'dist/shard-manager.js') : undefined);
	const redis = new Redis({ host: '127.0.0.1', port: 6379 });
	try {
		await sandbox.waitForReady({ timeoutMs: 90_000 });
		// Every process has published at least once: the baseline per shard.
		let before: Snapshot[] = [];
		for (const end = Date.now() + 30_000; before.length < shards && Date.now() < end; await sleep(100)) before = await fleetEvents(redis, env.TASKS_QUEUE!);
		if (before.length < shards) throw new Error(`only ${before.length} of ${shards} shard(s) published a fleet snapshot`);
		const baseline = new Map(before.map((s) => [s.shard, s.events]));

		let nextId = BigInt(snowflake(Date.now(), 0));
		const expected = new Map<number, number>();
		for (let i = 0; i < N; i++) {
			const shard = shards === 1 ? 0 : guildOf(i);
			expected.set(shard, (expected.get(shard) ?? 0) + 1);
		}
		let handled = 0;
		let latest: Snapshot[] = before;
		const poll = setInterval(() => {
			void fleetEvents(redis, env.TASKS_QUEUE!).then((snapshots) => {
				latest = snapshots;
				handled = snapshots.reduce((sum, s) => sum + s.events - (baseline.get(s.shard) ?? 0), 0);
			});
		}, 50);
		const cpuBefore = botCpuSeconds(bot.proc.pid!, shards);
		const started = Date.now();
		for (let i = 0; i < N; i++) {
			const g = guildOf(i);
			sandbox.dispatch(seeds[g]!.id, 'MESSAGE_CREATE', { ...templates[g]![(i >> 2) & 31]!, id: (nextId++).toString() });
			if (i % 1000 === 999) {
				await new Promise((resolve) => setImmediate(resolve));
				while (i + 1 - handled > IN_FLIGHT) await sleep(20);
			}
		}
		// Done when every shard's published count covers its share; its snapshot time says when.
		const doneAt = new Map<number, number>();
		for (const end = Date.now() + 120_000; doneAt.size < expected.size; await sleep(50)) {
			if (Date.now() > end) throw new Error(`not all events handled: ${handled} of ${N}`);
			for (const s of latest) if (!doneAt.has(s.shard) && s.events - (baseline.get(s.shard) ?? 0) >= (expected.get(s.shard) ?? 0)) doneAt.set(s.shard, s.ts);
		}
		clearInterval(poll);
		const seconds = (Math.max(...doneAt.values()) - started) / 1000;
		const cpuMicros = ((botCpuSeconds(bot.proc.pid!, shards) - cpuBefore) * 1e6) / N;

		// The store must hold every message (graceful stop flushes the rest).
		bot.kill('SIGTERM');
		const { code } = await bot.exited;
		if (code !== 0) throw new Error(`bot exited with ${code}`);
		const totals = await readStoreTotals({ sqlitePath: '/nonexistent', databaseUrl });
		return { variant, shards, eventsPerSecond: N / seconds, seconds, cpuMicros, stored: totals?.messages ?? -1 };
	} finally {
		if (bot.proc.exitCode === null && bot.proc.signalCode === null) {
			bot.kill('SIGKILL');
			await bot.exited;
		}
		await sandbox.stop();
		removeDir(dataDir);
		const keys = [...(await redis.keys(`bull:${env.TASKS_QUEUE}:*`)), ...(await redis.keys(`nexus:${env.TASKS_QUEUE}:*`))];
		if (keys.length) await redis.del(...keys);
		await redis.quit();
		const client = new pg.Client({ connectionString: PG });
		await client.connect();
		await client.query(`drop schema if exists "${schema}" cascade`);
		await client.end();
	}
}

export async function run(): Promise<void> {
	const loadBefore = loadavg()[0]!;
	const results: Result[] = [];
	const variants: Variant[] = ['single', 'spread', 'one-shard-busy'];
	for (let round = 0; round < ROUNDS; round++) for (const variant of variants) results.push(await measure(variant));
	const best = (variant: Variant) => results.filter((r) => r.variant === variant).sort((a, b) => b.eventsPerSecond - a.eventsPerSecond)[0]!;
	const names: Record<Variant, string> = {
		single: '1 process (dist/index.js)',
		spread: '3 shards (dist/shard-manager.js)',
		'one-shard-busy': 'control: 3 shards, all traffic on shard 0'
	};
	console.log(`MESSAGE_CREATE flood through the sandbox gateway: ${N.toLocaleString('en-US')} events (3 guilds, one per shard of 3), ${IN_FLIGHT.toLocaleString('en-US')} in flight at most, PostgreSQL store; ${cpus().length} cores; ${ROUNDS} round(s), best shown`);
	console.log('| processes | events/s handled | seconds | bot CPU per event | messages in store |');
	console.log('|---|---|---|---|---|');
	for (const variant of variants) {
		const r = best(variant);
		console.log(`| ${names[variant]} | ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} | ${r.seconds.toFixed(1)} | ${r.cpuMicros.toFixed(1)} µs | ${r.stored.toLocaleString('en-US')} |`);
	}
	console.log(`all runs (events/s): ${results.map((r) => `${r.variant}:${Math.round(r.eventsPerSecond)}`).join(', ')}; 1-min load average at start: ${loadBefore.toFixed(2)}`);
	console.log(`ratio 3 shards / 1 process: ${(best('spread').eventsPerSecond / best('single').eventsPerSecond).toFixed(2)}x`);
	for (const r of results) if (r.stored !== N) console.log(`WARNING: ${r.variant} stored ${r.stored} of ${N} messages`);
}
