// `npm run demo [-- --live] [-- --shards N [--machines M]] [-- --speed X] [-- --history-days N]`
// Starts the local Discord sandbox with a seeded guild, runs the REAL built bot against it, plays a
// scripted minute of traffic and slash commands, shuts the bot down gracefully, and leaves
// everything it did in demo-output/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEFAULT_BOT_PERMISSIONS, DiscordSandbox, Permission, seedGuild, shardForGuild, snowflake } from '../sandbox/index.js';
import { isolatedEnv, LOCAL_REDIS_URL, ROOT, startBotProcess, type BotProcess } from './support/botProcess.js';
import { planTraffic, playTraffic, trafficGuilds, type TrafficTotals } from './support/traffic.js';
import { runDemoCommands, type DemoContext } from './support/demoCommands.js';
import { saveApiArtifacts } from './support/demoApi.js';
import { readStoreTotals } from './support/storeTotals.js';
import { seedDemoHistory } from './support/demoHistory.js';
import { showScheduledReports } from './support/demoScheduled.js';
import { DEMO_LIVE_MINUTE_MS, finishDemoLive, setUpDemoLive } from './support/demoLive.js';
import { startDemoFleet, type DemoFleet } from './support/demoFleet.js';

const { values: args } = parseArgs({
	options: {
		live: { type: 'boolean', default: false },
		shards: { type: 'string', default: '1' },
		// Several launchers with disjoint shard ranges, as separate machines would run them (scripts/support/demoFleet.ts).
		machines: { type: 'string', default: '1' },
		speed: { type: 'string', default: '1' },
		out: { type: 'string', default: 'demo-output' },
		'database-url': { type: 'string' },
		// Generated past activity so the charts have weeks to show (SQLite only: a fresh file per run).
		'history-days': { type: 'string', default: '35' }
	}
});

const REPORT_CHANNELS = {
	diagnostics: '1419516681427882115',
	logs: '1419517784135700561',
	analytics: '1419858425424253039',
	performance: '1420213631030661130'
};

const out = resolve(ROOT, args.out!);
const shards = Math.max(1, Number(args.shards));
const machines = Math.max(1, Number(args.machines));
const speed = Math.max(0.1, Number(args.speed));
const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);

async function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => done(port));
		});
		server.on('error', fail);
	});
}

/** A snowflake from a fixed date that (guild_id >> 22) % count routes to `shard`. */
function guildIdOnShard(shard: number, count: number, salt: number): string {
	for (let ms = Date.UTC(2021, 0, 1) + salt * 86_400_000; ; ms++) {
		const id = snowflake(ms, salt);
		if (shardForGuild(id, count) === shard) return id;
	}
}

async function freshDemoSchema(url: string, schema: string): Promise<string> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(`drop schema if exists "${schema}" cascade`);
	} finally {
		await client.end();
	}
	return `${url}?schema=${schema}`;
}

async function main() {
	rmSync(out, { recursive: true, force: true });
	mkdirSync(out, { recursive: true });

	const guild = seedGuild({
		name: 'Nexus Demo',
		members: 200,
		seed: 42,
		extraChannels: [
			{ id: REPORT_CHANNELS.diagnostics, name: 'nexus-diagnostics' },
			{ id: REPORT_CHANNELS.logs, name: 'nexus-logs' },
			{ id: REPORT_CHANNELS.analytics, name: 'nexus-analytics' },
			{ id: REPORT_CHANNELS.performance, name: 'nexus-performance' }
		]
	});
	// Two smaller communities whose ids route them to the other two shards of a 3-shard run, so
	// `--shards 3` spreads the same traffic over every shard and its totals equal the 1-shard run's.
	const others = [1, 2].map((offset) =>
		seedGuild({ id: guildIdOnShard((shardForGuild(guild.id, 3) + offset) % 3, 3, offset), name: `Nexus Demo ${offset + 1}`, members: 60, textChannels: 4, voiceChannels: 2, categories: 2, seed: 42 + offset })
	);
	// Several machines: fewer identify buckets than shards and Discord's identify rate enforced, so the machines must coordinate.
	// Manage Channels on top of the defaults, for the counter channel.
	const sandbox = await DiscordSandbox.start({
		guilds: [guild, ...others],
		shardCount: shards,
		maxConcurrency: machines > 1 ? Math.max(1, Math.floor(shards / machines)) : shards,
		identifyRate: machines > 1 ? 'enforce' : 'record',
		botPermissions: DEFAULT_BOT_PERMISSIONS | Permission.ManageChannels
	});
	say(`Discord sandbox on ${sandbox.url} with guild "${guild.name}" (${guild.members.length} members, ${guild.channels.length} channels) and ${others.length} smaller guilds`);

	const apiPort = await freePort();
	const apiToken = randomBytes(18).toString('base64url');
	// Sharded runs share PostgreSQL; the demo gets a schema of its own, emptied first.
	const databaseUrl = args['database-url'] ?? (shards > 1 ? await freshDemoSchema('postgres://postgres@127.0.0.1:5432/test', 'nexus_demo') : undefined);
	const { env, dataDir } = isolatedEnv(sandbox.apiUrl, {
		SQLITE_PATH: join(out, 'nexus.sqlite'),
		DATABASE_URL: databaseUrl,
		REPORT_SPOOL_DIR: join(out, 'spool'),
		STATS_RECOVERY_DIR: join(out, 'recovery'),
		OWNER_IDS: guild.owner_id,
		DEV_GUILD_ID: guild.id,
		LOG_LEVEL: 'info',
		// A minute of demo instead of hours of production: every interval is compressed.
		STATS_FLUSH_INTERVAL_MS: '5000',
		VOICE_MIN_SESSION_SECONDS: '5',
		REPORT_FLUSH_INTERVAL_MS: '5000',
		REPORT_ANALYTICS_INTERVAL_MS: '20000',
		MONITOR_SYSTEM_INTERVAL_MS: '5000',
		MONITOR_PROCESS_INTERVAL_MS: '5000',
		MONITOR_DISCORD_INTERVAL_MS: '5000',
		MONITOR_MEMORY_INTERVAL_MS: '10000',
		MONITOR_ERROR_INTERVAL_MS: '15000',
		MONITOR_COMMAND_INTERVAL_MS: '20000',
		MONITOR_HEALTH_INTERVAL_MS: '20000',
		// `/guildstats live set every:5` refreshes every 15 s instead of 5 minutes; counters keep Discord's real 2 renames per 10 minutes.
		LIVE_MINUTE_MS: String(DEMO_LIVE_MINUTE_MS),
		API_PORT: String(apiPort),
		API_TOKEN: apiToken,
		SHARD_COUNT: shards > 1 ? String(shards) : undefined,
		// One process needs only Node (embedded scheduler, SQLite); several shards share Redis and PostgreSQL.
		REDIS_URL: shards > 1 ? LOCAL_REDIS_URL : undefined
	});
	const scheduler = shards > 1 ? 'BullMQ (Redis)' : 'the embedded scheduler (no Redis)';
	const script = shards > 1 ? join(ROOT, 'dist/shard-manager.js') : undefined;
	const historyDays = databaseUrl ? 0 : Math.max(0, Number(args['history-days']));
	const history =
		historyDays > 0
			? await seedDemoHistory({
					sqlitePath: join(out, 'nexus.sqlite'),
					guild: trafficGuilds(sandbox, { channelIds: Object.values(REPORT_CHANNELS) })[0]!,
					days: historyDays,
					timezone: 'America/New_York',
					endAt: Math.floor(Date.now() / 3_600_000) * 3_600_000
				})
			: null;
	if (history) say(`Seeded ${historyDays} days of generated history before the bot starts (${history.messages} messages; guild timezone America/New_York).`);
	const fleet: DemoFleet | undefined = machines > 1 ? await startDemoFleet({ machines, shards, env, apiPort }) : undefined;
	if (fleet) say(`${machines} machines: ${fleet.machines.map((machine) => `${machine.name} runs shards ${machine.shardIds}`).join(', ')}; every REST call through one @discordjs/proxy.`);
	const bot: BotProcess = fleet?.bot ?? startBotProcess(env, dataDir, script);
	if (process.env.DEMO_VERBOSE) bot.proc.stdout!.on('data', (chunk: Buffer) => process.stdout.write(chunk));
	const stopBot = async () => {
		bot.kill('SIGTERM');
		const timer = setTimeout(() => bot.kill('SIGKILL'), 20_000);
		const exit = await bot.exited;
		clearTimeout(timer);
		return exit;
	};
	process.once('SIGINT', () => void stopBot().then(() => sandbox.stop()).then(() => process.exit(130)));

	// Several machines start more processes at once and identify through the fleet-wide throttle: allow longer.
	for (let shard = 0; shard < shards; shard++) await sandbox.waitForReady({ shardId: shard, timeoutMs: machines > 1 ? 180_000 : 60_000 });
	await sandbox.waitForCommands(['nexus'], { guildId: guild.id, timeoutMs: 60_000 });
	say(`Bot logged in (${shards} shard${shards > 1 ? 's' : ''}${machines > 1 ? ` on ${machines} machines` : ''}); slash commands registered; scheduled tasks on ${scheduler}.`);

	const context: DemoContext = { sandbox, guildId: guild.id, ownerId: guild.owner_id, out, apiUrl: `http://127.0.0.1:${apiPort}`, apiToken, say };
	// Set up before the traffic: the live message keeps itself current while the traffic plays, the counter follows the joins.
	const live = await setUpDemoLive(context);
	const actions = planTraffic(trafficGuilds(sandbox, { channelIds: Object.values(REPORT_CHANNELS) }), { durationMs: 60_000 });
	say(`Playing ${actions.length} scripted gateway events over ${Math.round(60 / speed)} s (messages, reactions, voice, joins/leaves)...`);
	const progress = setInterval(() => say(`  ... ${sandbox.requests.length} REST requests from the bot so far`), 15_000);
	let sent: TrafficTotals;
	try {
		sent = await playTraffic(sandbox, actions, { speed });
	} finally {
		clearInterval(progress);
	}
	say(`Traffic done: ${sent.messages} messages, ${sent.reactions} reactions (net), ${sent.voiceSessions} voice sessions (${sent.voiceSeconds} s), ${sent.joins} joins, ${sent.leaves} leaves.`);

	const commands = await runDemoCommands(context);
	const liveResult = await finishDemoLive(context, live);
	await saveApiArtifacts(context);
	await showScheduledReports({ sandbox, channels: REPORT_CHANNELS, out, say, timeoutMs: 45_000, scheduler });

	if (args.live) {
		say(`--live: the bot keeps running. Dashboard: ${context.apiUrl}/dashboard (token ${apiToken}). Ctrl+C to stop.`);
		await new Promise(() => undefined);
	}

	say('Stopping the bot gracefully (SIGTERM)...');
	const exit = await stopBot();
	say(`Bot exited with code ${exit.code}${exit.signal ? ` (signal ${exit.signal})` : ''}.`);

	writeFileSync(join(out, 'requests.jsonl'), sandbox.toJSONL());
	const uploads = await sandbox.saveUploads(join(out, 'uploads'));
	writeFileSync(join(out, 'bot.log'), bot.lines.join('\n'));
	const store = await readStoreTotals({ sqlitePath: join(out, 'nexus.sqlite'), databaseUrl });
	const summary = {
		shards,
		machines,
		store,
		// Seeded before the bot started (--history-days); `live` = store - history is what the bot captured.
		history,
		live: store && history ? (Object.fromEntries(Object.entries(store).map(([key, value]) => [key, value - history[key as keyof typeof history]])) as unknown as typeof store) : store,
		sent: { ...sent, commands: commands.length },
		commands,
		requests: sandbox.requests.length,
		rateLimitHits: sandbox.rateLimitHits(),
		identifyViolations: sandbox.identifyViolations.length,
		reportMessages: Object.fromEntries(Object.entries(REPORT_CHANNELS).map(([name, id]) => [name, sandbox.messagesIn(id).length])),
		uploads: uploads.length,
		liveStats: liveResult
	};
	writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
	await sandbox.stop();
	rmSync(dataDir, { recursive: true, force: true });
	fleet?.cleanup();

	say(`Store totals: ${JSON.stringify(store)}`);
	if (history) say(`Captured live (store minus seeded history): ${JSON.stringify(summary.live)}`);
	say(`Report messages per channel: ${JSON.stringify(summary.reportMessages)}; 429s: ${summary.rateLimitHits}`);
	say(`Wrote ${out}/: requests.jsonl (${sandbox.requests.length} requests), summary.json, ${uploads.length} uploaded files, nexus.sqlite, bot.log`);
	if (exit.code !== 0) throw new Error(`The bot did not exit cleanly (code ${exit.code}).`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error('[demo] failed:', error);
		process.exit(1);
	}
);
