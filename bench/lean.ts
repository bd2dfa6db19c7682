// bench/lean: the whole built bot (dist/index.js, monitoring on at its default intervals, no Redis,
// SQLite) against a plain discord.js 14 client with default caches (bench/support/plainClient.mjs),
// both logged in to their own sandbox with the same guild (1,000 members, 20 channels) and fed the
// same frames AT THE SAME TIME, so machine load hits both alike. Measured per process from
// /proc/<pid>/stat (utime + stime of all its threads) and /proc/<pid>/status (VmRSS):
//  1. idle CPU over BENCH_IDLE_SECONDS (default 60) after a settle period, twice: the first window
//     still holds V8's one-off heap shrink after start-up, the second (from 150 s) is the steady
//     state a bot idles at for hours (target <= 0.3% of a core); also for a fourth process, the bot
//     with every setting at its default (the measured one flushes statistics every 5 s, see startBot);
//  2. RSS after login, and after 200k MESSAGE_CREATE (target <= 1.0x the plain client);
//  3. CPU per MESSAGE_CREATE, per reaction add, per voice state update (target <= 0.7x for messages).
// Sizes: BENCH_SCALE (default 1) scales the event counts; BENCH_IDLE_SECONDS the idle window,
// BENCH_SETTLE_SECONDS (default 60) the wait after login before the first; BENCH_STEADY_SECONDS
// (default 150) when the second window starts, counted from the same moment.
// 4. the RSS floor of the code alone: a process that only imports the bot's modules (dist/lib/setup.js
//    and dist/lib/boot.js: its libraries and lib/, nothing started) vs one that only imports discord.js.
//    Memory no cache setting can win back, so it says how far target 2 is from the code's own floor.
// BENCH_LEAN_BEFORE=<path to another build's dist/index.js> runs that bot as a third side in the same
// run (e.g. the previous commit built elsewhere), for "no worse than before" comparisons;
// BENCH_LEAN_BEFORE_NODE_ARGS gives that side node arguments (e.g. --enable-source-maps, which the
// bot's launch used until the build that dropped it).
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DiscordSandbox } from '../sandbox/DiscordSandbox.js';
import { isolatedEnv, removeDir, startBotProcess, type BotProcess } from '../scripts/support/botProcess.js';
import { seedGuildWithReportChannels } from '../tests/e2e/support/stack.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
// Startup is not idle: command registration, first samples, and V8's one-off heap shrink (a major GC
// about a minute after start, once allocation stops) all land in the first minute.
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 60);
const STEADY_SECONDS = Math.max(Number(process.env.BENCH_STEADY_SECONDS ?? 150), SETTLE_SECONDS + IDLE_SECONDS);
const MESSAGES = Math.round(200_000 * SCALE);
const REACTIONS = Math.round(30_000 * SCALE);
const VOICE = Math.round(20_000 * SCALE);
const ROUNDS = 3;
const TICKS_PER_SECOND = 100;

function cpuTicks(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	return Number(fields[11]) + Number(fields[12]); // utime + stime, every thread of the process
}

function rssMB(pid: number): number {
	const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'))!;
	return Number(line.replace(/\D+/g, '')) / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS (MB) of a fresh process after importing `specifiers` and a full GC; median of 3 processes. */
function importedRssMB(specifiers: string[]): number {
	const code = `for (const s of ${JSON.stringify(specifiers)}) await import(s); globalThis.gc(); await new Promise((r) => setTimeout(r, 300)); globalThis.gc(); process.stdout.write(String(process.memoryUsage().rss));`;
	const cwd = fileURLToPath(new URL('..', import.meta.url));
	const runs = [0, 1, 2].map(() => Number(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], { cwd, encoding: 'utf8' })) / 1024 / 1024);
	return median(runs);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Side {
	label: string;
	sandbox: DiscordSandbox;
	pid: number;
	guildId: string;
	textChannels: string[];
	voiceChannels: string[];
	authors: string[];
	messageIds: { channelId: string; id: string }[];
	/** CPU ticks per second while idle, subtracted from the event windows. */
	idleTicksPerSecond: number;
	stop(): Promise<void>;
}

function seed() {
	return seedGuildWithReportChannels({ seed: 17, members: 1000, textChannels: 13, voiceChannels: 4, categories: 3 });
}

function describe(sandbox: DiscordSandbox, guild: ReturnType<typeof seed>, label: string, pid: number, stopProcess: () => Promise<void>): Side {
	let stopped: Promise<void> | undefined;
	const reportIds = new Set(guild.channels.filter((channel) => channel.name.startsWith('nexus-')).map((channel) => channel.id));
	return {
		label,
		sandbox,
		pid,
		guildId: guild.id,
		textChannels: guild.channels.filter((channel) => channel.type === 0 && !reportIds.has(channel.id)).map((channel) => channel.id),
		voiceChannels: guild.channels.filter((channel) => channel.type === 2).map((channel) => channel.id),
		authors: guild.members.filter((member) => !member.user.bot).map((member) => member.user.id),
		messageIds: [],
		idleTicksPerSecond: 0,
		stop: () => (stopped ??= stopProcess())
	};
}

async function startPlain(): Promise<Side> {
	const guild = seed();
	const sandbox = await DiscordSandbox.start({ guilds: [guild], rateLimits: false });
	const child: ChildProcess = fork(fileURLToPath(new URL('./support/plainClient.mjs', import.meta.url)), [sandbox.apiUrl], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	await new Promise<void>((resolve, reject) => {
		child.on('message', (message: { type: string }) => message.type === 'ready' && resolve());
		child.once('exit', (code) => reject(new Error(`plain client exited (${code})`)));
	});
	return describe(sandbox, guild, 'plain discord.js client', child.pid!, async () => {
		child.send('exit');
		await new Promise((resolve) => child.once('exit', resolve));
		await sandbox.stop();
	});
}

async function startBot(label = 'Nexus (whole built bot)', script?: string, defaults = false): Promise<Side> {
	const guild = seed();
	const sandbox = await DiscordSandbox.start({ guilds: [guild], rateLimits: false });
	// Flushing every 5 s (not 60 s) spreads the store writes evenly over the measured event windows, so
	// each carries its share of them instead of a whole flush landing in one side's window only. The
	// idle-only side keeps every default (a flush a minute), as an idle bot in production runs.
	const { env, dataDir } = isolatedEnv(sandbox.apiUrl, { LOG_LEVEL: 'warn', NODE_ENV: 'production', ...(defaults ? {} : { STATS_FLUSH_INTERVAL_MS: '5000' }) });
	const nodeArgs = script ? (process.env.BENCH_LEAN_BEFORE_NODE_ARGS ?? '').split(' ').filter(Boolean) : [];
	const bot: BotProcess = startBotProcess(env, dataDir, script, nodeArgs);
	await sandbox.waitForReady({ timeoutMs: 60_000 });
	await sandbox.waitForCommands(['guildstats'], { timeoutMs: 60_000 });
	return describe(sandbox, guild, label, bot.proc.pid!, async () => {
		bot.kill('SIGTERM');
		await bot.exited;
		await sandbox.stop();
		removeDir(dataDir);
	});
}

/** Waits until both processes stopped working through their backlog (CPU still for a second). */
async function quiet(sides: Side[]): Promise<void> {
	let last = sides.map((side) => cpuTicks(side.pid));
	for (let still = 0; still < 2; ) {
		await sleep(500);
		const now = sides.map((side) => cpuTicks(side.pid));
		still = now.every((ticks, i) => ticks - last[i]! <= 1) ? still + 1 : 0;
		last = now;
	}
}

/** Feeds `count` events to every side in interleaved chunks; returns CPU seconds each side spent on them. */
async function feed(sides: Side[], count: number, emit: (side: Side, i: number) => void): Promise<number[]> {
	await quiet(sides);
	const started = performance.now();
	const before = sides.map((side) => cpuTicks(side.pid));
	for (let i = 0; i < count; i += 500) {
		for (const side of sides) for (let j = i; j < Math.min(count, i + 500); j++) emit(side, j);
		// Yield so the sockets drain and neither side runs far ahead.
		await new Promise((resolve) => setImmediate(resolve));
		if (i % 5000 === 4500) await sleep(5);
	}
	await quiet(sides);
	const seconds = (performance.now() - started) / 1000;
	// What each process would have spent idling meanwhile is not the events' cost.
	return sides.map((side, i) => Math.max(0, cpuTicks(side.pid) - before[i]! - side.idleTicksPerSecond * seconds) / TICKS_PER_SECOND);
}

const message = (side: Side, i: number) => {
	const raw = side.sandbox.sendMessage({ guildId: side.guildId, channelId: side.textChannels[i % side.textChannels.length]!, authorId: side.authors[(i * 7) % side.authors.length]! });
	if (side.messageIds.length < 2000) side.messageIds.push({ channelId: raw.channel_id, id: raw.id });
};
const reaction = (side: Side, i: number) => {
	const target = side.messageIds[i % side.messageIds.length]!;
	side.sandbox.addReaction({ guildId: side.guildId, channelId: target.channelId, messageId: target.id, userId: side.authors[(i * 13) % side.authors.length]!, emoji: ['👍', '🎉', '😂'][i % 3] });
};
const voice = (side: Side, i: number) => {
	// Members join, move and leave: every update changes the channel.
	const user = side.authors[i % 200]!;
	const step = Math.floor(i / 200) % 3;
	side.sandbox.voiceUpdate({ guildId: side.guildId, userId: user, channelId: step === 2 ? null : side.voiceChannels[(i + step) % side.voiceChannels.length]! });
};

export async function run(): Promise<void> {
	console.log(`Load on this machine at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
	const beforeScript = process.env.BENCH_LEAN_BEFORE;
	if (beforeScript && !existsSync(beforeScript)) throw new Error(`BENCH_LEAN_BEFORE: no such file ${beforeScript}`);
	const sides = await Promise.all([startPlain(), startBot(), ...(beforeScript ? [startBot('Nexus before (BENCH_LEAN_BEFORE)', beforeScript)] : [])]);
	// Idle and login RSS only, every setting at its default (statistics flushed once a minute).
	const defaultsSide = await startBot('Nexus, default settings', undefined, true);
	const idleSides = [...sides, defaultsSide];
	try {
		await sleep(SETTLE_SECONDS * 1000);
		await quiet(idleSides);
		const rssLogin = idleSides.map((side) => rssMB(side.pid));

		const idleStart = idleSides.map((side) => cpuTicks(side.pid));
		await sleep(IDLE_SECONDS * 1000);
		const idle = idleSides.map((side, i) => ((cpuTicks(side.pid) - idleStart[i]!) / TICKS_PER_SECOND / IDLE_SECONDS) * 100);
		await sleep((STEADY_SECONDS - SETTLE_SECONDS - IDLE_SECONDS) * 1000);
		const steadyStart = idleSides.map((side) => cpuTicks(side.pid));
		await sleep(IDLE_SECONDS * 1000);
		const steady = idleSides.map((side, i) => ((cpuTicks(side.pid) - steadyStart[i]!) / TICKS_PER_SECOND / IDLE_SECONDS) * 100);
		const rssSteady = idleSides.map((side) => rssMB(side.pid));
		sides.forEach((side, i) => (side.idleTicksPerSecond = (steady[i]! / 100) * TICKS_PER_SECOND));
		const defaultsIndex = idleSides.length - 1;
		await defaultsSide.stop(); // not fed: the event windows compare the sides above

		const perEvent = async (name: string, total: number, emit: (side: Side, i: number) => void) => {
			const ratios: number[][] = sides.map(() => []);
			const us: number[][] = sides.map(() => []);
			const each = Math.ceil(total / ROUNDS);
			for (let round = 0; round < ROUNDS; round++) {
				const seconds = await feed(sides, each, emit);
				seconds.forEach((value, i) => {
					us[i]!.push((value * 1e6) / each);
					ratios[i]!.push(value / seconds[0]!);
				});
			}
			return { name, count: each * ROUNDS, us: us.map(median), ratio: ratios.map(median) };
		};
		const messages = await perEvent('MESSAGE_CREATE', MESSAGES, message);
		await sleep(2000);
		const rssMessages = sides.map((side) => rssMB(side.pid));
		const reactions = await perEvent('MESSAGE_REACTION_ADD', REACTIONS, reaction);
		const voices = await perEvent('VOICE_STATE_UPDATE', VOICE, voice);

		const vsPlain = (values: number[], i: number) => (values[i]! / values[0]!).toFixed(2);
		console.log(`Same guild (1,000 members, 20 channels), processes measured side by side (load now ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}):`);
		for (let i = 1; i < sides.length; i++) {
			console.log(`  [${sides[i]!.label}] vs [${sides[0]!.label}]`);
			console.log(`    idle CPU, ${IDLE_SECONDS} s from ${SETTLE_SECONDS} s after login: ${idle[i]!.toFixed(3)}% of a core vs ${idle[0]!.toFixed(3)}% (start-up's heap shrink included)`);
			console.log(`    idle CPU, ${IDLE_SECONDS} s from ${STEADY_SECONDS} s (steady): ${steady[i]!.toFixed(3)}% of a core vs ${steady[0]!.toFixed(3)}% (target <= 0.3%)`);
			console.log(`    RSS after login:             ${rssLogin[i]!.toFixed(1)} MB vs ${rssLogin[0]!.toFixed(1)} MB = ${vsPlain(rssLogin, i)}x (target <= 1.0x)`);
			console.log(`    RSS idle at ${STEADY_SECONDS + IDLE_SECONDS} s:           ${rssSteady[i]!.toFixed(1)} MB vs ${rssSteady[0]!.toFixed(1)} MB = ${vsPlain(rssSteady, i)}x (after V8's heap shrink)`);
			console.log(`    RSS after ${(messages.count / 1000).toFixed(0)}k messages:     ${rssMessages[i]!.toFixed(1)} MB vs ${rssMessages[0]!.toFixed(1)} MB = ${vsPlain(rssMessages, i)}x (target <= 1.0x)`);
			for (const row of [messages, reactions, voices]) {
				const target = row === messages ? 'target <= 0.7x' : 'target: no worse than before';
				console.log(`    CPU per ${row.name.padEnd(20)} ${row.us[i]!.toFixed(1)} µs vs ${row.us[0]!.toFixed(1)} µs = ${row.ratio[i]!.toFixed(2)}x (median of ${ROUNDS} rounds, ${row.count.toLocaleString('en-US')} events; ${target})`);
			}
		}
		const d = defaultsIndex;
		console.log(`  [${defaultsSide.label}] vs [${sides[0]!.label}] (idle only)`);
		console.log(`    idle CPU, ${IDLE_SECONDS} s from ${SETTLE_SECONDS} s after login: ${idle[d]!.toFixed(3)}% of a core vs ${idle[0]!.toFixed(3)}% (start-up's heap shrink included)`);
		console.log(`    idle CPU, ${IDLE_SECONDS} s from ${STEADY_SECONDS} s (steady): ${steady[d]!.toFixed(3)}% of a core vs ${steady[0]!.toFixed(3)}% (target <= 0.3%)`);
		console.log(`    RSS after login:             ${rssLogin[d]!.toFixed(1)} MB vs ${rssLogin[0]!.toFixed(1)} MB = ${(rssLogin[d]! / rssLogin[0]!).toFixed(2)}x (target <= 1.0x)`);
		console.log(`    RSS idle at ${STEADY_SECONDS + IDLE_SECONDS} s:           ${rssSteady[d]!.toFixed(1)} MB vs ${rssSteady[0]!.toFixed(1)} MB = ${(rssSteady[d]! / rssSteady[0]!).toFixed(2)}x`);
		const root = new URL('..', import.meta.url);
		const floorBot = importedRssMB([new URL('dist/lib/setup.js', root).href, new URL('dist/lib/boot.js', root).href]);
		const floorPlain = importedRssMB(['discord.js']);
		console.log(`  Code alone (imported, nothing started): Nexus ${floorBot.toFixed(1)} MB vs discord.js ${floorPlain.toFixed(1)} MB = ${(floorBot / floorPlain).toFixed(2)}x, +${(floorBot - floorPlain).toFixed(1)} MB no cache setting can win back`);
	} finally {
		await Promise.all(idleSides.map((side) => side.stop()));
	}
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
