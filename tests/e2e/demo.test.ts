import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/support/botProcess.js';
import { REPORT_CHANNEL_IDS } from './support/stack.js';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'nexus-demo-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run demo', () => {
	it('runs the real bot through a scripted session, exits 0 and leaves its evidence in demo-output/', async () => {
		// The demo script itself (npm run demo = build + this), at double speed to keep the suite short.
		const result = await run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--speed', '2', '--out', out], { cwd: ROOT, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 });
		expect(result.stdout).toMatch(/Bot exited with code 0/);

		// One process needs only Node: the embedded scheduler ran the scheduled tasks, and the bot never mentioned Redis.
		expect(result.stdout).toMatch(/scheduled tasks on the embedded scheduler \(no Redis\)/);
		expect(result.stdout).toMatch(/Scheduled tasks ran on the embedded scheduler \(no Redis\): a health report in #nexus-performance and an analytics report in #nexus-analytics/);
		expect(result.stdout).toMatch(/health report in #nexus-performance: ".*Health .*\/100\)"/);
		const scheduled = JSON.parse(readFileSync(join(out, 'scheduled-reports.json'), 'utf8')) as Record<string, { event: { event: string }; embeds: unknown[] }>;
		expect(Object.values(scheduled).map((report) => report.event.event)).toEqual(['health.report', 'analytics.report']);
		for (const report of Object.values(scheduled)) expect(report.embeds.length).toBeGreaterThan(0);
		const botLog = readFileSync(join(out, 'bot.log'), 'utf8');
		expect(botLog).toMatch(/Scheduler: embedded \(in this process\), because REDIS_URL is unset/);
		expect(botLog.split('\n').filter((line) => /redis/i.test(line) && !/Scheduler: embedded/.test(line))).toEqual([]);

		const requests = readFileSync(join(out, 'requests.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { method: string; path: string; body: unknown });
		for (const [channel, id] of Object.entries(REPORT_CHANNEL_IDS)) {
			expect(requests.some((r) => r.method === 'POST' && r.path === `/channels/${id}/messages`), `reports in ${channel}`).toBe(true);
		}
		const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
			live: { messages: number; reactions: number; joins: number; leaves: number; voiceSeconds: number };
			sent: { messages: number; botMessages: number; reactions: number; joins: number; leaves: number; voiceSeconds: number };
			rateLimitHits: number;
			liveStats: { liveMessage: { posts: number; edits: number }; counter: { renames: { name: string; status: number }[] } };
		};
		// Everything the script sent was captured (store minus the seeded history), exactly (voice is wall-clock time: close, not exact).
		expect(summary.live.messages).toBe(summary.sent.messages + summary.sent.botMessages);
		expect(summary.live.reactions).toBe(summary.sent.reactions);
		expect(summary.live.joins).toBe(summary.sent.joins);
		expect(summary.live.leaves).toBe(summary.sent.leaves);
		expect(summary.live.voiceSeconds).toBeGreaterThanOrEqual(summary.sent.voiceSeconds);
		expect(summary.rateLimitHits).toBe(0);
		// One live message, edited in place at least twice; the counter renamed within Discord's 2 per 10 minutes.
		expect(summary.liveStats.liveMessage.posts).toBe(1);
		expect(summary.liveStats.liveMessage.edits).toBeGreaterThanOrEqual(2);
		expect(summary.liveStats.counter.renames.length).toBeGreaterThanOrEqual(1);
		expect(summary.liveStats.counter.renames.length).toBeLessThanOrEqual(2);
		expect(summary.liveStats.counter.renames.every((rename) => rename.status === 200)).toBe(true);
		expect(existsSync(join(out, 'live-message.png'))).toBe(true);
		expect(existsSync(join(out, 'nexus.sqlite'))).toBe(true);
		const pngs = readdirSync(out).filter((file) => file.endsWith('.png'));
		expect(pngs.length).toBeGreaterThanOrEqual(1);
		// The admin tools' attachments are kept: the inactive list and the three export files.
		const files = readdirSync(out);
		const inactive = files.find((file) => /^guildstats-inactive.*\.csv$/.test(file));
		expect(readFileSync(join(out, inactive!), 'utf8')).toMatch(/^user_id,username,display_name,joined_at,last_active_at,days_since_active\n/);
		for (const part of ['guild', 'channels', 'members']) expect(files.some((file) => file.startsWith('guildstats-export') && file.endsWith(`-${part}.csv`)), part).toBe(true);
	}, 240_000); // as long as the demo process may take (execFile timeout): on a loaded 2-core machine it exceeds the 90 s e2e default
});
