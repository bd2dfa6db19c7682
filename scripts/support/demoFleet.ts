import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startBotProcess, type BotProcess } from './botProcess.js';

/**
 * Several "machines" on this host, as `npm run demo -- --shards 4 --machines 2` runs them: one
 * @discordjs/proxy (dist/rest-proxy.js: one REST budget for everyone), then one launcher
 * (dist/shard-manager.js) per machine with SHARD_COUNT = the fleet and SHARD_IDS = its disjoint
 * range, MACHINE_NAME machine-<i>, its own data directory and API port, and the SAME database,
 * Redis and task queue, exactly as separate hosts would be configured.
 */
export interface DemoFleet {
	machines: { name: string; shardIds: string; bot: BotProcess; apiPort: number }[];
	proxy: BotProcess;
	/** The bot-like handle demo.ts drives: every launcher's lines, kill and exit together (the proxy last). */
	bot: BotProcess;
	cleanup(): void;
}

async function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => done(port));
		});
		server.on('error', fail);
	});
}

/** Contiguous, as even as possible: 4 shards on 2 machines are 0-1 and 2-3. */
export function machineRanges(shards: number, machines: number): string[] {
	return [...Array(machines).keys()].map((index) => {
		const from = Math.floor((index * shards) / machines);
		const to = Math.floor(((index + 1) * shards) / machines) - 1;
		return from === to ? String(from) : `${from}-${to}`;
	});
}

export async function startDemoFleet(options: { machines: number; shards: number; env: Record<string, string>; apiPort: number }): Promise<DemoFleet> {
	const { machines, shards, env } = options;
	if (machines > shards) throw new Error(`--machines ${machines} needs at least as many shards (--shards ${shards})`);
	const proxyPort = await freePort();
	const restProxyUrl = `http://127.0.0.1:${proxyPort}`;
	const proxyDir = mkdtempSync(join(tmpdir(), 'nexus-demo-proxy-'));
	const proxy = startBotProcess({ ...env, REST_PROXY_URL: restProxyUrl }, proxyDir, join(ROOT, 'dist/rest-proxy.js'));
	await proxy.waitForLine(/\[rest-proxy\] listening/, 15_000);
	const ranges = machineRanges(shards, machines);
	const dirs = [proxyDir];
	const started: DemoFleet['machines'] = [];
	for (let index = 0; index < machines; index++) {
		const dataDir = mkdtempSync(join(tmpdir(), `nexus-demo-machine-${index}-`));
		dirs.push(dataDir);
		const apiPort = index === 0 ? options.apiPort : await freePort();
		const machineEnv = {
			...env,
			SHARD_COUNT: String(shards),
			SHARD_IDS: ranges[index]!,
			MACHINE_NAME: `machine-${index}`,
			REST_PROXY_URL: restProxyUrl,
			API_PORT: String(apiPort),
			SQLITE_PATH: join(dataDir, 'nexus.sqlite'),
			REPORT_SPOOL_DIR: join(dataDir, 'spool')
		};
		started.push({ name: `machine-${index}`, shardIds: ranges[index]!, bot: startBotProcess(machineEnv, dataDir, join(ROOT, 'dist/shard-manager.js')), apiPort });
	}
	const launchers = started.map((machine) => machine.bot);
	const lines = new Proxy([] as string[], {
		get: (_target, key) => {
			const merged = [...launchers.flatMap((bot, index) => bot.lines.map((line) => `[machine-${index}] ${line}`)), ...proxy.lines.map((line) => `[rest-proxy] ${line}`)];
			const value = Reflect.get(merged, key);
			return typeof value === 'function' ? value.bind(merged) : value;
		}
	});
	const exited = Promise.all(launchers.map((bot) => bot.exited)).then(async (exits) => {
		proxy.kill('SIGTERM');
		await proxy.exited;
		return exits.find((exit) => exit.code !== 0) ?? exits[0]!;
	});
	const bot: BotProcess = {
		proc: launchers[0]!.proc,
		lines,
		dataDir: launchers[0]!.dataDir,
		env: launchers[0]!.env,
		waitForLine: (pattern, timeoutMs) => Promise.any(launchers.map((launcher) => launcher.waitForLine(pattern, timeoutMs))),
		exited,
		kill: (signal) => {
			for (const launcher of launchers) launcher.kill(signal);
		}
	};
	return { machines: started, proxy, bot, cleanup: () => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })) };
}
