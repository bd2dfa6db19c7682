import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { isolatedEnv, removeDir, ROOT, startBotProcess } from '../../scripts/support/botProcess.js';

describe('invalid environment', () => {
	it('exits 1 with one message naming every bad variable, printing no secret, before connecting anywhere', async () => {
		// The API URL points at a closed port: if the bot tried to connect we would see connection errors.
		const { env, dataDir } = isolatedEnv('http://127.0.0.1:9/api', {
			DISCORD_TOKEN: undefined,
			REPORT_CHANNEL_ANALYTICS: '14198584254242530x',
			REDIS_URL: 'http://127.0.0.1:6379',
			DATABASE_URL: 'postgres://nexus:super-secret-db-password@',
			API_PORT: '4100',
			API_TOKEN: 'short'
		});
		const bot = startBotProcess(env, dataDir);
		const { code } = await bot.exited;
		const output = bot.lines.join('\n');
		removeDir(dataDir);
		expect(code).toBe(1);
		expect(output.match(/Nexus cannot start/g)).toHaveLength(1);
		for (const variable of ['DISCORD_TOKEN', 'REPORT_CHANNEL_ANALYTICS', 'REDIS_URL', 'API_TOKEN']) expect(output).toContain(`- ${variable}:`);
		expect(output).not.toContain('super-secret-db-password');
		expect(output).not.toContain('short');
		expect(output).not.toMatch(/ECONNREFUSED|login/i);
	});

	it('the sharded launcher refuses to start without REDIS_URL, saying why and what to do, before starting any shard', async () => {
		const { env, dataDir } = isolatedEnv('http://127.0.0.1:9/api', { SHARD_COUNT: '2' });
		expect(env.REDIS_URL).toBeUndefined();
		const manager = startBotProcess(env, dataDir, join(ROOT, 'dist/shard-manager.js'));
		const { code } = await manager.exited;
		removeDir(dataDir);
		const output = manager.lines.join('\n');
		expect(code).toBe(1);
		expect(output).toMatch(/Nexus cannot start sharded: REDIS_URL is not set\./);
		expect(output).toMatch(/Set REDIS_URL .*or run one process with `npm start`/);
		expect(output).not.toMatch(/Spawning|shard 0|ECONNREFUSED/i);
	});

	it('rejects a malformed owner id list and names the variable', async () => {
		const { env, dataDir } = isolatedEnv('http://127.0.0.1:9/api', { OWNER_IDS: '123456789012345678,me' });
		const bot = startBotProcess(env, dataDir);
		const { code } = await bot.exited;
		removeDir(dataDir);
		expect(code).toBe(1);
		expect(bot.lines.join('\n')).toMatch(/- OWNER_IDS: must be a Discord id/);
		expect(bot.lines.join('\n')).not.toContain('e2e-secret-token');
	});
});
