import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSandbox } from '../../sandbox/index.js';
import { isolatedEnv, removeDir } from '../../scripts/support/botProcess.js';
import { Pm2Harness } from './support/pm2.js';
import { isCommandRegistration, requestMatching } from './support/stack.js';


let sandbox: DiscordSandbox;
let env: Record<string, string>;
let dataDir: string;

const pm2 = new Pm2Harness(() => env);

const identifies = () => sandbox.findRequests((r) => r.route === 'GET /gateway/bot').length;

beforeAll(async () => {
	sandbox = await DiscordSandbox.start();
	({ env, dataDir } = isolatedEnv(sandbox.apiUrl, { SHUTDOWN_TIMEOUT_MS: '8000' }));
});

afterAll(async () => {
	await pm2.run('kill').catch(() => null);
	await sandbox?.stop();
	removeDir(dataDir);
	removeDir(pm2.home);
});

describe('pm2 with ecosystem.config.cjs', () => {
	it('starts the built bot, which logs in to the sandbox', async () => {
		await pm2.run('start', 'ecosystem.config.cjs', '--only', 'nexus');
		await requestMatching(sandbox, isCommandRegistration, 60_000);
		const { stdout } = await pm2.run('jlist');
		const app = (JSON.parse(stdout) as { name: string; pm2_env: { status: string; kill_timeout: number } }[]).find((entry) => entry.name === 'nexus')!;
		expect(app.pm2_env.status).toBe('online');
		// kill_timeout leaves the graceful shutdown its whole deadline.
		expect(app.pm2_env.kill_timeout).toBeGreaterThan(8000);
	});

	it('reloads gracefully: the old process flushes and exits cleanly, the new one logs in again', async () => {
		const before = identifies();
		await pm2.run('reload', 'nexus');
		await pm2.waitFor(() => identifies() > before, 'the reloaded bot to reconnect', 45_000);
		await pm2.waitFor(() => /Shutdown complete/.test(pm2.logs()), 'the old process to finish its shutdown', 45_000);
		const logs = pm2.logs();
		expect(logs).toMatch(/Shutting down \((SIGINT|SIGTERM|message:shutdown)\)/);
		expect(logs).toMatch(/Stopped scheduler/);
		expect(logs).not.toContain(env.DISCORD_TOKEN);
		const { stdout } = await pm2.run('jlist');
		const app = (JSON.parse(stdout) as { name: string; pm2_env: { status: string; restart_time: number } }[]).find((entry) => entry.name === 'nexus')!;
		expect(app.pm2_env.status).toBe('online');
	});
});
