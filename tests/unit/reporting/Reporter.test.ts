import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiscordSandbox } from '../../../sandbox/index.js';
import type { Reporter } from '#lib/reporting/Reporter.js';
import { CHANNELS, delivered, messagePosts, range, reporterFor, startReportingSandbox, tempDir, waitFor } from './support/reportingSandbox.js';

let sandbox: DiscordSandbox;
let tmp: ReturnType<typeof tempDir>;
const reporters: Reporter[] = [];

beforeEach(async () => {
	sandbox = await startReportingSandbox();
	tmp = tempDir();
});
afterEach(async () => {
	for (const reporter of reporters.splice(0)) await reporter.stop(AbortSignal.timeout(2000));
	await sandbox.stop();
	tmp.remove();
});

function make(extra: Parameters<typeof reporterFor>[2] = {}) {
	const made = reporterFor(sandbox, tmp.dir, extra);
	reporters.push(made.reporter);
	return made;
}

describe('Reporter against the sandbox', () => {
	it('10,000 INFO events: all delivered once, in order, <= 1 message per 20 events, no 429, every message valid', async () => {
		const { reporter } = make();
		reporter.start();
		for (let i = 0; i < 10_000; i++) reporter.enqueue('logs', { event: 'guild.activity', data: { i, guild: '1419516681427882115' } });
		await waitFor(() => delivered(sandbox, CHANNELS.logs).length >= 10_000, 15_000, '10,000 delivered events');
		const seqs = delivered(sandbox, CHANNELS.logs).map((e) => e.seq);
		expect(seqs).toEqual(range(1, 10_000));
		const posts = messagePosts(sandbox, CHANNELS.logs);
		expect(posts.every((r) => r.status === 200)).toBe(true);
		expect(posts.length).toBeLessThanOrEqual(10_000 / 20);
		expect(sandbox.rateLimitHits()).toBe(0);
		for (const post of posts) expect((post.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
		// The sandbox records a request before its response reaches us.
		await waitFor(() => reporter.snapshot().channels.logs.sentEvents === 10_000, 2000, 'the last response');
		const snapshot = reporter.snapshot().channels.logs;
		expect(snapshot).toMatchObject({ sentEvents: 10_000, queued: 0, available: true, backlog: false });
		expect(snapshot.sentMessages).toBe(posts.length);
	});

	it('a CRITICAL event behind a full INFO backlog reaches diagnostics within 2 s', async () => {
		const { reporter } = make({ batcher: { maxDigestEvents: 2000 } });
		reporter.start();
		for (let i = 0; i < 40_000; i++) reporter.enqueue('diagnostics', { event: 'noise', data: { i } });
		// Let the backlog start draining (and use up pacing slots) first.
		await waitFor(() => messagePosts(sandbox, CHANNELS.diagnostics).length >= 4, 5000, 'backlog sends');
		const enqueuedAt = Date.now();
		reporter.enqueue('diagnostics', { event: 'database.down', severity: 'CRITICAL', data: { message: 'connection refused' } });
		await waitFor(() => delivered(sandbox, CHANNELS.diagnostics).some((e) => e.event === 'database.down'), 2000, 'the critical event');
		expect(Date.now() - enqueuedAt).toBeLessThan(2000);
		expect(reporter.snapshot().channels.diagnostics.queued).toBeGreaterThan(0); // the INFO backlog is still waiting
		expect(sandbox.rateLimitHits()).toBe(0);
	});

	it('waits for the flush interval, or sends at once when a message is full', async () => {
		const { reporter } = make({ flushIntervalMs: 60_000 });
		reporter.start();
		reporter.enqueue('performance', { event: 'sample', data: { cpu: 1 } });
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(messagePosts(sandbox, CHANNELS.performance)).toHaveLength(0);
		for (let i = 0; i < 60; i++) reporter.enqueue('performance', { event: 'sample', data: { cpu: i } });
		await waitFor(() => messagePosts(sandbox, CHANNELS.performance).length >= 1, 2000, 'a full message');
	});
});
