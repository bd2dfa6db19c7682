import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const FAKE_TOKEN = 'MTQyMDAwMDAwMDAwMDAwMDAw.Gsandbox.e2e-secret-token-do-not-leak-000000';
export const OWNER_ID = '300000000000000001';

export interface BotProcess {
	proc: ChildProcess;
	/** stdout + stderr lines, in order. */
	lines: string[];
	dataDir: string;
	env: Record<string, string>;
	waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
	/** Resolves with the exit code (null if killed by a signal). */
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	kill(signal?: NodeJS.Signals): void;
}

/** The shared test Redis; pass `REDIS_URL: LOCAL_REDIS_URL` to run BullMQ and fleet coordination (several processes). */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Isolated per-test settings: own data dir (SQLite, spool), own BullMQ queue name. No REDIS_URL:
 * one process with the embedded scheduler, the default product; tests of BullMQ or of several
 * processes pass `REDIS_URL: LOCAL_REDIS_URL` (the queue name keeps them apart on the shared Redis).
 */
export function isolatedEnv(apiUrl: string, overrides: Record<string, string | undefined> = {}): { env: Record<string, string>; dataDir: string } {
	const dataDir = mkdtempSync(join(tmpdir(), 'nexus-e2e-'));
	const env: Record<string, string | undefined> = {
		PATH: process.env.PATH,
		HOME: process.env.HOME,
		NODE_ENV: 'test',
		LOG_LEVEL: 'info',
		DISCORD_TOKEN: FAKE_TOKEN,
		DISCORD_API_URL: apiUrl,
		OWNER_IDS: OWNER_ID,
		TASKS_QUEUE: `e2e-${randomBytes(6).toString('hex')}`,
		SQLITE_PATH: join(dataDir, 'nexus.sqlite'),
		REPORT_SPOOL_DIR: join(dataDir, 'spool'),
		STATS_RECOVERY_DIR: join(dataDir, 'recovery'),
		...overrides
	};
	const clean: Record<string, string> = {};
	for (const [key, value] of Object.entries(env)) if (value !== undefined) clean[key] = value;
	return { env: clean, dataDir };
}

/** Starts the BUILT bot (dist/index.js) as a real child process, like pm2 would (same node arguments: none). */
export function startBotProcess(env: Record<string, string>, dataDir: string, script = join(ROOT, 'dist/index.js'), nodeArgs: string[] = []): BotProcess {
	const proc = spawn(process.execPath, [...nodeArgs, script], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
	const lines: string[] = [];
	const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
	const onData = (chunk: Buffer) => {
		for (const line of chunk.toString('utf8').split('\n')) {
			if (!line) continue;
			lines.push(line);
			if (process.env.E2E_VERBOSE) process.stderr.write(`[bot] ${line}\n`);
			for (const waiter of waiters) if (waiter.pattern.test(line)) (waiters.delete(waiter), waiter.resolve(line));
		}
	};
	proc.stdout!.on('data', onData);
	proc.stderr!.on('data', onData);
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
	return {
		proc,
		lines,
		dataDir,
		env,
		exited,
		kill: (signal = 'SIGTERM') => void proc.kill(signal),
		waitForLine(pattern, timeoutMs = 30_000) {
			const existing = lines.find((line) => pattern.test(line));
			if (existing) return Promise.resolve(existing);
			return new Promise((resolve, reject) => {
				const waiter = { pattern, resolve };
				waiters.add(waiter);
				const timer = setTimeout(() => {
					waiters.delete(waiter);
					reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${pattern}. Last lines:\n${lines.slice(-25).join('\n')}`));
				}, timeoutMs);
				exited.then(() => setTimeout(() => {
					if (waiters.has(waiter)) {
						waiters.delete(waiter);
						clearTimeout(timer);
						reject(new Error(`Bot exited while waiting for ${pattern}. Last lines:\n${lines.slice(-25).join('\n')}`));
					}
				}, 50));
			});
		}
	};
}

export function removeDir(dir: string) {
	rmSync(dir, { recursive: true, force: true });
}
