import { describe, expect, it } from 'vitest';
import { formatConfigProblems, loadConfig } from '#root/config.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.secret-token-value-xyz';

describe('loadConfig', () => {
	it('accepts a minimal env and applies the documented defaults', () => {
		const result = loadConfig({ DISCORD_TOKEN: TOKEN });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		// No Redis by default: one process with the embedded scheduler.
		expect(result.config.REDIS_URL).toBeUndefined();
		expect(result.config.RETENTION_CRON).toBe('30 3 * * *');
		expect(result.config.reportChannels).toEqual({
			diagnostics: '1419516681427882115',
			logs: '1419517784135700561',
			analytics: '1419858425424253039',
			performance: '1420213631030661130'
		});
		expect(result.config.API_HOST).toBe('127.0.0.1');
		expect(result.config.API_PORT).toBeUndefined();
		expect(result.config.secrets).toContain(TOKEN);
	});

	it('lists every bad variable at once, with examples, and never the values', () => {
		const result = loadConfig({
			OWNER_IDS: '123,abc',
			REPORT_CHANNEL_LOGS: 'not-an-id',
			REDIS_URL: 'http://nope',
			API_PORT: '4100',
			DATABASE_URL: 'mysql://u:hunter2hunter2@h/db'
		});
		expect(result.ok).toBe(false);
		if (result.ok) return;
		const names = result.problems.map((problem) => problem.variable).sort();
		expect(names).toEqual(['API_TOKEN', 'DATABASE_URL', 'DISCORD_TOKEN', 'OWNER_IDS', 'REDIS_URL', 'REPORT_CHANNEL_LOGS']);
		const message = formatConfigProblems(result.problems);
		expect(message).toContain('6 invalid environment variables');
		expect(message).toContain('e.g. REDIS_URL=redis://127.0.0.1:6379');
		expect(message).not.toContain('hunter2');
		expect(message).not.toContain('not-an-id');
	});

	it('rejects a cron pattern the scheduler could not read, naming the variable', () => {
		const result = loadConfig({ DISCORD_TOKEN: TOKEN, DAILY_SUMMARY_CRON: '0 25 * * *', RETENTION_CRON: '61 3 * * *' });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.problems.map((problem) => problem.variable).sort()).toEqual(['DAILY_SUMMARY_CRON', 'RETENTION_CRON']);
		expect(loadConfig({ DISCORD_TOKEN: TOKEN, DAILY_SUMMARY_CRON: '*/5 * * * * *', REDIS_URL: 'redis://127.0.0.1:6390' }).ok).toBe(true);
	});

	it('treats empty strings as unset and parses lists', () => {
		const result = loadConfig({ DISCORD_TOKEN: TOKEN, API_PORT: '', OWNER_IDS: '123456789012345678, 234567890123456789' });
		expect(result.ok && result.config.OWNER_IDS).toEqual(['123456789012345678', '234567890123456789']);
	});

	it('rejects warn thresholds at or above critical ones', () => {
		const result = loadConfig({ DISCORD_TOKEN: TOKEN, ALERT_CPU_WARN_PERCENT: '90', ALERT_CPU_CRITICAL_PERCENT: '85' });
		expect(!result.ok && result.problems.map((p) => p.variable)).toEqual(['ALERT_CPU_WARN_PERCENT']);
	});

	it('collects the database password as a secret to redact', () => {
		const result = loadConfig({ DISCORD_TOKEN: TOKEN, DATABASE_URL: 'postgres://nexus:s3cr3t-pass@db:5432/nexus' });
		expect(result.ok && result.config.secrets).toContain('s3cr3t-pass');
	});
});

describe('documentation of settings', () => {
	it('.env.example lists every setting the schema accepts', async () => {
		const { readFileSync } = await import('node:fs');
		const { configSchema } = await import('#root/config.js');
		const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
		const missing = Object.keys(configSchema.shape).filter((key) => !new RegExp(`^#? ?${key}=`, 'm').test(example));
		expect(missing).toEqual([]);
	});
});
