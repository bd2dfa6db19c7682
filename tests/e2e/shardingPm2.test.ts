import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSandbox, DISCORD_EPOCH, seedGuild, snowflake } from '../../sandbox/index.js';
import { isolatedEnv, LOCAL_REDIS_URL, removeDir } from '../../scripts/support/botProcess.js';
import { Pm2Harness } from './support/pm2.js';

/**
 * `pm2 start ecosystem.config.cjs --only nexus-shards`: pm2 supervises the manager, the manager the
 * shards. pm2 signals the whole process tree on stop (treekill) while the manager also asks each
 * shard to stop: every shard must still flush once, calmly, and the manager exit cleanly.
 */
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `e2e_pm2_shards_${randomBytes(4).toString('hex')}`;

let sandbox: DiscordSandbox;
let env: Record<string, string>;
let dataDir: string;

const pm2 = new Pm2Harness(() => env);

beforeAll(async () => {
	// One guild per shard of 2.
	const guilds = [0, 1].map((shard) => {
		const base = Date.UTC(2023, 0, 1) + shard * 1_000_000 - DISCORD_EPOCH;
		return seedGuild({ id: snowflake(base + ((shard - (base % 2) + 2) % 2) + DISCORD_EPOCH, 0), seed: 31 + shard, members: 40 });
	});
	sandbox = await DiscordSandbox.start({ guilds, shardCount: 2, maxConcurrency: 2 });
	({ env, dataDir } = isolatedEnv(sandbox.apiUrl, { REDIS_URL: LOCAL_REDIS_URL, SHARD_COUNT: '2', SHUTDOWN_TIMEOUT_MS: '8000', DATABASE_URL: `${PG}?schema=${schema}`, CHART_WORKERS: '0' }));
});

afterAll(async () => {
	await pm2.run('kill').catch(() => null);
	await sandbox?.stop();
	removeDir(dataDir);
	removeDir(pm2.home);
	const client = new pg.Client({ connectionString: PG });
	await client.connect();
	await client.query(`drop schema if exists "${schema}" cascade`);
	await client.end();
}, 60_000);

describe('pm2 with ecosystem.config.cjs --only nexus-shards', () => {
	it('starts ONE manager process, online once its shards are (wait_ready), each shard identified', async () => {
		await pm2.run('start', 'ecosystem.config.cjs', '--only', 'nexus-shards');
		await sandbox.waitForReady({ timeoutMs: 60_000 });
		const { stdout } = await pm2.run('jlist');
		const apps = JSON.parse(stdout) as { name: string; pid: number; pm2_env: { status: string; kill_timeout: number; exec_mode: string } }[];
		expect(apps.map((app) => app.name)).toEqual(['nexus-shards']);
		expect(apps[0]!.pm2_env).toMatchObject({ status: 'online', exec_mode: 'fork_mode' });
		// pm2 waits longer than the manager, which waits longer than each shard.
		expect(apps[0]!.pm2_env.kill_timeout).toBeGreaterThan(8000 + 2000);
		await pm2.waitFor(() => /All 2 shard\(s\) started/.test(pm2.logs()), 'the manager to report its shards');
		expect(new Set(sandbox.sessions().map((session) => `${session.shardId}/${session.shardCount}`))).toEqual(new Set(['0/2', '1/2']));
	});

	it('pm2 stop: each shard shuts down once (no "second signal" exit), the manager exits cleanly', async () => {
		await pm2.run('stop', 'nexus-shards');
		await pm2.waitFor(() => /Fleet stopped/.test(pm2.logs()), 'the fleet to stop');
		const logs = pm2.logs();
		expect(logs).toMatch(/Fleet stopped: 2 shard\(s\) exited cleanly\./);
		// Log lines of the shards themselves (the reporter's stderr fallback repeats some messages).
		expect(logs.match(/"msg":"Shutdown complete in \d+ ms/g)).toHaveLength(2);
		expect(logs.match(/"msg":"Shutting down \(shutdown requested by the shard manager\)/g)).toHaveLength(2);
		expect(logs).not.toMatch(/Second .* exiting now|killed at the deadline|did not exit within/);
		expect(logs).not.toContain(env.DISCORD_TOKEN);
		const { stdout } = await pm2.run('jlist');
		expect((JSON.parse(stdout) as { pm2_env: { status: string } }[])[0]!.pm2_env.status).toBe('stopped');
	});
});
