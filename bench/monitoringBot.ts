// bench/monitoringBot: the whole bot, idle against the sandbox, with monitoring off vs on.
// Three runs of the built bot (dist/index.js), each for the same time: MONITOR_ENABLED=false, on at
// the real intervals, and on with every interval divided by 10. CPU comes from /proc/<pid>/stat
// (user + system ticks of the bot process only), RSS from /proc/<pid>/status at the end.
// The x10 run, scaled back, separates the per-job cost from the always-on probes.
import { readFileSync } from 'node:fs';
import { DiscordSandbox } from '../sandbox/DiscordSandbox.js';
import { isolatedEnv, removeDir, startBotProcess } from '../scripts/support/botProcess.js';
import { seedGuildWithReportChannels } from '../tests/e2e/support/stack.js';

const SECONDS = Number(process.env.BENCH_MONITORING_SECONDS ?? 45);
const TICKS_PER_SECOND = 100;

const INTERVALS = {
	MONITOR_SYSTEM_INTERVAL_MS: 30_000,
	MONITOR_PROCESS_INTERVAL_MS: 30_000,
	MONITOR_DISCORD_INTERVAL_MS: 60_000,
	MONITOR_MEMORY_INTERVAL_MS: 60_000,
	MONITOR_ERROR_INTERVAL_MS: 90_000,
	MONITOR_COMMAND_INTERVAL_MS: 180_000,
	MONITOR_HEALTH_INTERVAL_MS: 300_000
};

function cpuTicks(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssMB(pid: number): number {
	const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'))!;
	return Number(line.replace(/\D+/g, '')) / 1024;
}

async function idleRun(label: string, env: Record<string, string>) {
	const sandbox = await DiscordSandbox.start({ guilds: [seedGuildWithReportChannels({ seed: 5 })] });
	const { env: botEnv, dataDir } = isolatedEnv(sandbox.apiUrl, { LOG_LEVEL: 'warn', ...env });
	const bot = startBotProcess(botEnv, dataDir);
	await sandbox.waitForReady({ timeoutMs: 60_000 });
	await new Promise((resolve) => setTimeout(resolve, 5000)); // settle: startup work is not idle cost
	const pid = bot.proc.pid!;
	const startTicks = cpuTicks(pid);
	await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
	const cpuSeconds = (cpuTicks(pid) - startTicks) / TICKS_PER_SECOND;
	const rss = rssMB(pid);
	bot.kill('SIGTERM');
	await bot.exited;
	await sandbox.stop();
	removeDir(dataDir);
	return { label, cpuSeconds, percentOfCore: (cpuSeconds / SECONDS) * 100, rss };
}

export async function run(): Promise<void> {
	const compressed = Object.fromEntries(Object.entries(INTERVALS).map(([key, value]) => [key, String(value / 10)]));
	const off = await idleRun('monitoring off', { MONITOR_ENABLED: 'false', LOG_LEVEL: 'warn' });
	const on = await idleRun('monitoring on, real intervals', { MONITOR_ENABLED: 'true' });
	const fast = await idleRun('monitoring on, intervals / 10', { MONITOR_ENABLED: 'true', ...compressed });
	console.log(`The bot idle against the sandbox for ${SECONDS} s per run (bot process only):`);
	for (const result of [off, on, fast]) console.log(`  ${result.label.padEnd(32)} ${result.cpuSeconds.toFixed(2)} s CPU = ${result.percentOfCore.toFixed(3)}% of one core, RSS ${result.rss.toFixed(1)} MB`);
	const perJob = (fast.percentOfCore - on.percentOfCore) / 9; // jobs ran 10x as often: 9 extra "real" loads
	const alwaysOn = on.percentOfCore - off.percentOfCore - perJob;
	console.log(`monitoring at real intervals: +${(on.percentOfCore - off.percentOfCore).toFixed(3)}% of one core (budget 0.5%), RSS +${(on.rss - off.rss).toFixed(1)} MB (budget 20 MB)`);
	console.log(`  of which periodic jobs ~${Math.max(0, perJob).toFixed(3)}% (from the x10 run), always-on probes ~${Math.max(0, alwaysOn).toFixed(3)}%`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
