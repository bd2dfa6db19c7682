import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../sandbox/index.js';
import { OWNER_ID } from '../../scripts/support/botProcess.js';
import { decodeReportMessage } from '#lib/reporting/decodeReportMessage.js';
import { REPORT_CHANNEL_IDS, stopBot, type Stack, startStack } from './support/stack.js';
import { delivered, MESSAGE_ROUTE, messagePosts, sleep, waitFor } from './support/reports.js';

let stack: Stack;
let guildId: string;
let channelId: string;

beforeAll(async () => {
	stack = await startStack({
		env: {
			REPORT_FLUSH_INTERVAL_MS: '2000',
			// A health report every 2 s on Performance: a steady stream of reports that keeps coming during an outage.
			MONITOR_HEALTH_INTERVAL_MS: '2000'
		}
	});
	const guild = [...stack.sandbox.state.guilds.values()][0]!;
	guildId = guild.id;
	channelId = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!).find((channel) => channel.type === 0 && !Object.values(REPORT_CHANNEL_IDS).includes(channel.id))!.id;
	// Let the start-up reports go out first.
	await sleep(2500);
});

afterAll(async () => {
	await stack?.stop();
});

const seqsOf = (r: RecordedRequest) => decodeReportMessage(r.body as never, r.files).map((event) => event.seq);

/** A critical event goes out at once, ahead of any backlog (by design), so only the others keep seq order. */
const isCritical = (event: { text: string }) => /"severity":"CRITICAL"| · CRITICAL"/.test(event.text);

/** Every event of every report channel delivered exactly once, and the non-critical ones in seq order per channel. */
function expectExactlyOnceInOrder() {
	const all: number[] = [];
	for (const id of Object.values(REPORT_CHANNEL_IDS)) {
		const events = delivered(stack.sandbox, id);
		const seqs = events.filter((event) => !isCritical(event)).map((event) => event.seq);
		for (let i = 1; i < seqs.length; i++) expect(seqs[i], `channel ${id}: seq ${seqs[i]} after ${seqs[i - 1]}`).toBeGreaterThan(seqs[i - 1]!);
		all.push(...events.map((event) => event.seq));
	}
	expect(new Set(all).size).toBe(all.length);
}

/** A real error log line (critical, to Diagnostics at once): /nexus status fails because Discord answers its callback 502. */
function triggerErrorLine() {
	stack.sandbox.faults.fail5xx({ route: 'POST /interactions/:id/:token/callback', count: 4, status: 502 });
	stack.sandbox.interact({ guildId, channelId, userId: OWNER_ID, command: 'nexus', subcommand: 'status' });
}

const deliveredSeqs = () => new Set(Object.values(REPORT_CHANNEL_IDS).flatMap((id) => delivered(stack.sandbox, id).map((event) => event.seq)));

describe('reporting under Discord faults (real bot, sandbox)', () => {
	it('429 with Retry-After on a report send: delivered after the wait, exactly once', async () => {
		const from = stack.sandbox.requests.length;
		const hits = stack.sandbox.rateLimitHits();
		stack.sandbox.faults.rateLimit({ route: MESSAGE_ROUTE, count: 1, retryAfterMs: 1500 });
		triggerErrorLine();
		const limited = await waitFor(() => stack.sandbox.requests.slice(from).find((r) => r.route === MESSAGE_ROUTE && r.status === 429), 10_000, 'the 429');
		expect(Object.keys(limited.responseHeaders).some((name) => name.toLowerCase() === 'retry-after')).toBe(true);
		const seqs = seqsOf(limited);
		expect(seqs.length).toBeGreaterThan(0);
		await waitFor(() => seqs.every((seq) => deliveredSeqs().has(seq)), 10_000, 'the rate-limited report');
		const carriers = messagePosts(stack.sandbox).filter((r) => r.status === 200 && seqsOf(r).some((seq) => seqs.includes(seq)));
		// Once: one successful POST carries them, and only after Retry-After (discord.js waited, then retried).
		expect(carriers).toHaveLength(1);
		expect(carriers[0]!.path).toBe(limited.path);
		expect(carriers[0]!.at - limited.at).toBeGreaterThanOrEqual(1400);
		expect(stack.sandbox.rateLimitHits() - hits).toBe(1);
		expectExactlyOnceInOrder();
	});

	it('a 5xx burst beyond discord.js retries: spooled, retried with backoff, delivered once', async () => {
		const from = stack.sandbox.requests.length;
		stack.sandbox.faults.fail5xx({ route: MESSAGE_ROUTE, count: 6, status: 502 });
		triggerErrorLine();
		const failed = await waitFor(() => {
			const posts = stack.sandbox.requests.slice(from).filter((r) => r.route === MESSAGE_ROUTE && r.status === 502);
			return posts.length === 6 && posts;
		}, 15_000, 'six 502 answers');
		const seqs = [...new Set(failed.flatMap(seqsOf))];
		await waitFor(() => seqs.every((seq) => deliveredSeqs().has(seq)), 15_000, 'delivery after the 502s');
		// discord.js tried 4 times back to back; the reporter then backed off (>= 1 s) before its next attempt.
		const first = failed[0]!;
		const sameChannel = stack.sandbox.requests.slice(from).filter((r) => r.path === first.path && r.route === MESSAGE_ROUTE);
		expect(sameChannel.slice(0, 4).map((r) => r.status)).toEqual([502, 502, 502, 502]);
		expect(sameChannel[4]!.at - sameChannel[3]!.at).toBeGreaterThanOrEqual(900);
		expect(stack.bot.lines.some((line) => line.includes('send failed: HTTP 502') || /send failed: .*502/.test(line))).toBe(true);
		expectExactlyOnceInOrder();
	});

	it('a full outage: the bot keeps running, reports made meanwhile are spooled and arrive afterwards in order', async () => {
		const before = Math.max(0, ...deliveredSeqs());
		const fromLine = stack.bot.lines.length;
		await stack.sandbox.faults.outage();
		await sleep(5000);
		expect(stack.bot.proc.exitCode).toBeNull();
		expect(stack.bot.lines.slice(fromLine).some((line) => /performance \(\d+\): send failed: Discord unreachable/.test(line))).toBe(true);
		await stack.sandbox.faults.recover();
		await stack.sandbox.waitForReady({ timeoutMs: 30_000 });
		await waitFor(() => stack.bot.lines.slice(fromLine).some((line) => /performance: spool replayed/.test(line)), 20_000, 'the Performance spool replay');
		// Health reports made during the outage (every 2 s) reached Performance after it, in order.
		const made = () => delivered(stack.sandbox, REPORT_CHANNEL_IDS.performance).filter((event) => event.seq > before && event.event === 'health.report');
		// On a loaded machine the replay can land before the last report made meanwhile: poll, don't sample once.
		await waitFor(() => made().length >= 2, 20_000, 'two health reports after the outage began');
		expectExactlyOnceInOrder();
	});

	it('SIGTERM while Discord is down: queued reports are spooled, stop hooks run, exit 0; the next start replays them', async () => {
		await stack.sandbox.faults.outage();
		await sleep(2500);
		const { code } = await stopBot(stack.bot);
		expect(code).toBe(0);
		const log = stack.bot.lines.join('\n');
		expect(log).toMatch(/Shutting down \(SIGTERM\)/);
		expect(log).toMatch(/Stopped reporter in \d+ ms/);
		expect(log).toMatch(/Shutdown complete/);
		// On disk: the Logs spool holds the shutdown line, Performance the health reports of the outage.
		const spooled = readSpool(join(stack.bot.dataDir, 'spool'));
		expect(spooled.logs.map((event) => event.data?.message)).toContain('Shutting down (SIGTERM); deadline 10000 ms.');
		expect(spooled.performance.length).toBeGreaterThan(0);
		const expected = Object.values(spooled).flat().map((event) => event.seq);

		await stack.sandbox.faults.recover();
		await stack.restartBot();
		await waitFor(() => expected.every((seq) => deliveredSeqs().has(seq)), 20_000, 'the replay of the spool');
		const readyLines = () => delivered(stack.sandbox, REPORT_CHANNEL_IDS.logs).filter((event) => event.text.includes('Nexus ready as'));
		const readyAgain = (await waitFor(() => readyLines().length === 2 && readyLines(), 10_000, 'the new run\'s ready line'))[1]!;
		const shutdownLine = delivered(stack.sandbox, REPORT_CHANNEL_IDS.logs).find((event) => event.text.includes('Shutting down (SIGTERM)'))!;
		// The old run's last lines come before the new run's first ones.
		expect(shutdownLine.seq).toBeLessThan(readyAgain.seq);
		expectExactlyOnceInOrder();
	});

	it('SIGTERM while Discord is up: queued reports are flushed before exit 0', async () => {
		await sleep(2500);
		const { code } = await stopBot(stack.bot);
		expect(code).toBe(0);
		const shutdowns = delivered(stack.sandbox, REPORT_CHANNEL_IDS.logs).filter((event) => event.text.includes('Shutting down (SIGTERM)'));
		// The previous run's (replayed) and this run's: each once.
		expect(shutdowns.map((event) => event.seq).length).toBe(2);
		const spooled = readSpool(join(stack.bot.dataDir, 'spool'));
		// Only lines logged after the reporter itself stopped wait for the next start.
		for (const event of spooled.logs) expect(String(event.data?.message)).toMatch(/^(Stopped \w[\w-]* in \d+ ms\.|Shutdown complete in \d+ ms\.)$/);
		expect(spooled.performance).toEqual([]);
		expect(spooled.diagnostics).toEqual([]);
		expectExactlyOnceInOrder();
	});
});

interface SpooledEvent {
	seq: number;
	event: string;
	data?: { message?: string };
}

/** Reads each channel's spool segments (`<bytes> <json>` lines), skipping what the cursor says was replayed. */
function readSpool(dir: string): Record<'diagnostics' | 'logs' | 'analytics' | 'performance', SpooledEvent[]> {
	const out = { diagnostics: [], logs: [], analytics: [], performance: [] } as Record<'diagnostics' | 'logs' | 'analytics' | 'performance', SpooledEvent[]>;
	for (const channel of Object.keys(out) as (keyof typeof out)[]) {
		const channelDir = join(dir, channel);
		if (!existsSync(channelDir)) continue;
		for (const name of readdirSync(channelDir).filter((file) => file.endsWith('.jsonl')).sort()) {
			for (const line of readFileSync(join(channelDir, name), 'utf8').split('\n')) {
				if (!line) continue;
				out[channel].push(...(JSON.parse(line.slice(line.indexOf(' ') + 1)) as SpooledEvent[]));
			}
		}
	}
	return out;
}
