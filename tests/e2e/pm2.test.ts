import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSandbox } from '../../sandbox/index.js';
import { isolatedEnv, removeDir, ROOT } from '../../scripts/support/botProcess.js';
import { isCommandRegistration, requestMatching } from './support/stack.js';

const run = promisify(execFile);
const PM2 = join(ROOT, 'node_modules/.bin/pm2');

let sandbox: DiscordSandbox;
let env: Record<string, string>;
let dataDir: string;
let pm2Home: string;

const pm2 = (...args: string[]) => run(PM2, args, { cwd: ROOT, env: { ...env, PM2_HOME: pm2Home }, timeout: 60_000 });

function pm2Logs(): string {
	const logDir = join(pm2Home, 'logs');
	if (!existsSync(logDir)) return '';
	return readdirSync(logDir).map((file) => readFileSync(join(logDir, file), 'utf8')).join('\n');
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 45_000) {
	const until = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > until) throw new Error(`Timed out waiting for ${what}. pm2 logs:\n${pm2Logs().slice(-3000)}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

const identifies = () => sandbox.findRequests((r) => r.route === 'GET /gateway/bot').length;

beforeAll(async () => {
	sandbox = await DiscordSandbox.start();
	({ env, dataDir } = isolatedEnv(sandbox.apiUrl, { SHUTDOWN_TIMEOUT_MS: '8000' }));
	pm2Home = mkdtempSync(join(tmpdir(), 'nexus-pm2-'));
});

afterAll(async () => {
	await pm2('kill').catch(() => null);
	await sandbox?.stop();
	removeDir(dataDir);
	removeDir(pm2Home);
});

describe('pm2 with ecosystem.config.cjs', () => {
	it('starts the built bot, which logs in to the sandbox', async () => {
		await pm2('start', 'ecosystem.config.cjs', '--only', 'nexus');
		await requestMatching(sandbox, isCommandRegistration, 60_000);
		const { stdout } = await pm2('jlist');
		const app = (JSON.parse(stdout) as { name: string; pm2_env: { status: string; kill_timeout: number } }[]).find((entry) => entry.name === 'nexus')!;
		expect(app.pm2_env.status).toBe('online');
		// kill_timeout leaves the graceful shutdown its whole deadline.
		expect(app.pm2_env.kill_timeout).toBeGreaterThan(8000);
	});

	it('reloads gracefully: the old process flushes and exits cleanly, the new one logs in again', async () => {
		const before = identifies();
		await pm2('reload', 'nexus');
		await waitFor(() => identifies() > before, 'the reloaded bot to reconnect');
		await waitFor(() => /Shutdown complete/.test(pm2Logs()), 'the old process to finish its shutdown');
		const logs = pm2Logs();
		expect(logs).toMatch(/Shutting down \((SIGINT|SIGTERM|message:shutdown)\)/);
		expect(logs).toMatch(/Stopped scheduler/);
		expect(logs).not.toContain(env.DISCORD_TOKEN);
		const { stdout } = await pm2('jlist');
		const app = (JSON.parse(stdout) as { name: string; pm2_env: { status: string; restart_time: number } }[]).find((entry) => entry.name === 'nexus')!;
		expect(app.pm2_env.status).toBe('online');
	});
});
