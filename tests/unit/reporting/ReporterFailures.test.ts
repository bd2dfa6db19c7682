import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOT_TOKEN, CHANNELS, delivered, messagePosts, MISSING_CHANNEL, range, useReporterSandbox, waitFor } from './support/reportingSandbox.js';

const t = useReporterSandbox({ reporterClock: true });

describe('Reporter failure paths', () => {
	it('outage while 5,000 events are enqueued: spooled, then every event delivered exactly once and in order', async () => {
		const { reporter, stderr } = t.make();
		reporter.start();
		for (let i = 0; i < 100; i++) reporter.enqueue('logs', { event: 'before', data: { i } });
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).length === 100, 5000, 'traffic before the outage');

		await t.sandbox.faults.outage();
		for (let chunk = 0; chunk < 10; chunk++) {
			for (let i = 0; i < 500; i++) reporter.enqueue('logs', { event: 'during', severity: i % 50 === 0 ? 'WARNING' : 'INFO', data: { chunk, i } });
			await new Promise((resolve) => setTimeout(resolve, 40));
		}
		await waitFor(() => reporter.snapshot().channels.logs.spool.events === 5000, 5000, 'all 5,000 spooled');
		const during = reporter.snapshot().channels.logs;
		expect(during.backlog).toBe(true);
		expect(during.failures.retryable).toBeGreaterThan(0);
		expect(stderr.some((line) => line.includes('logs (1419517784135700561): send failed: Discord unreachable (ECONNREFUSED)'))).toBe(true);

		await t.sandbox.faults.recover();
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).length >= 5100, 10_000, 'the replay');
		await waitFor(() => !reporter.snapshot().channels.logs.backlog, 2000, 'the spool to empty');
		expect(delivered(t.sandbox, CHANNELS.logs).map((e) => e.seq)).toEqual(range(1, 5100));
		expect(readdirSync(join(t.tmp.dir, 'logs')).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
		expect(t.sandbox.rateLimited()).toEqual([]);
		// Events after the outage flow normally again.
		reporter.enqueue('logs', { event: 'after', severity: 'CRITICAL' });
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).some((e) => e.seq === 5101), 2000, 'a new event');
	});

	it('5xx beyond discord.js retries is spooled and replayed with backoff, in order', async () => {
		const { reporter } = t.make();
		reporter.start();
		t.sandbox.faults.fail5xx({ route: 'POST /channels/:id/messages', count: 8, status: 502 });
		for (let i = 0; i < 10; i++) reporter.enqueue('performance', { event: 'sample', severity: 'WARNING', data: { i } });
		await waitFor(() => delivered(t.sandbox, CHANNELS.performance).length === 10, 10_000, 'delivery after 5xx');
		expect(delivered(t.sandbox, CHANNELS.performance).map((e) => e.seq)).toEqual(range(1, 10));
		// discord.js tried 4 times per send, back to back; we spooled and backed off between sends.
		expect(messagePosts(t.sandbox, CHANNELS.performance).map((r) => r.status)).toEqual([502, 502, 502, 502, 502, 502, 502, 502, 200]);
		expect(reporter.snapshot().channels.performance.failures.retryable).toBeGreaterThanOrEqual(2);
	});

	it('unknown channel (404): one clear report naming the config, local fallback, no request storm, periodic retry', async () => {
		const { reporter, stderr } = t.make({ channels: { ...CHANNELS, analytics: MISSING_CHANNEL }, analyticsIntervalMs: 50 });
		reporter.start();
		for (let i = 0; i < 10; i++) reporter.enqueue('analytics', { event: 'usage', data: { i } });
		await waitFor(() => messagePosts(t.sandbox, MISSING_CHANNEL).length === 1, 3000, 'the first attempt');
		for (let round = 0; round < 10; round++) {
			for (let i = 0; i < 20; i++) reporter.enqueue('analytics', { event: 'usage', data: { round, i } });
			await new Promise((resolve) => setTimeout(resolve, 60));
		}
		expect(messagePosts(t.sandbox, MISSING_CHANNEL)).toHaveLength(1);
		const reports = stderr.filter((line) => line.includes('is unavailable'));
		expect(reports).toHaveLength(1);
		expect(reports[0]).toContain(`channel "analytics" (REPORT_CHANNEL_ANALYTICS=${MISSING_CHANNEL}) is unavailable: unknown channel (10003)`);
		await waitFor(() => stderr.filter((line) => line.includes(' fallback analytics ')).length === 210, 2000, 'fallback lines');
		expect(reporter.snapshot().channels.analytics).toMatchObject({ available: false, unavailableReason: 'unknown channel (10003)', fallbackEvents: 210 });
		// Diagnostics hears about it once, as a critical event.
		await waitFor(() => delivered(t.sandbox, CHANNELS.diagnostics).some((e) => e.event === 'reporter.channel_unavailable'), 2000, 'the diagnostics report');

		t.clock.advance(600_000);
		reporter.enqueue('analytics', { event: 'usage', data: { retry: true } });
		await waitFor(() => messagePosts(t.sandbox, MISSING_CHANNEL).length === 2, 3000, 'one retry after REPORT_CHANNEL_RETRY_MS');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(messagePosts(t.sandbox, MISSING_CHANNEL)).toHaveLength(2);
		expect(stderr.filter((line) => line.includes('is unavailable'))).toHaveLength(1);
		expect(delivered(t.sandbox, CHANNELS.diagnostics).filter((e) => e.event === 'reporter.channel_unavailable')).toHaveLength(1);
	});

	it('missing permission (403): reported once; after access is granted and the retry time passed, it recovers', async () => {
		t.sandbox.state.denyChannel(CHANNELS.performance);
		const { reporter, stderr } = t.make();
		reporter.start();
		reporter.enqueue('performance', { event: 'sample', severity: 'CRITICAL', data: { n: 1 } });
		await waitFor(() => stderr.some((line) => line.includes('is unavailable: missing permission (50013)')), 3000, 'the 403 report');
		t.sandbox.state.allowChannel(CHANNELS.performance);
		t.clock.advance(600_001);
		reporter.enqueue('performance', { event: 'sample', severity: 'CRITICAL', data: { n: 2 } });
		await waitFor(() => delivered(t.sandbox, CHANNELS.performance).length === 1, 3000, 'delivery after recovery');
		// The sandbox records the request before the reporter has read the answer: wait for that too.
		await waitFor(() => stderr.some((line) => line.includes('channel "performance" (1420213631030661130) is available again (was: missing permission (50013))')), 3000, 'the recovery line');
		expect(reporter.snapshot().channels.performance.available).toBe(true);
	});

	it('secrets never appear in any request body, attachment, or the spool', async () => {
		const apiToken = 'api-token-0123456789abcdef';
		const dbPassword = 'dbpass-s3cr3t-value';
		const strayToken = 'OTk5OTk5OTk5OTk5OTk5OTk5OQ.Gx-_0a.abcdefghijklmnopqrstuvwxyz0123-_ABCD';
		const { reporter } = t.make({ secrets: [BOT_TOKEN, apiToken, dbPassword] });
		reporter.start();
		const error = new Error(`login failed for ${BOT_TOKEN} via postgres://nexus:${dbPassword}@db:5432/nexus`);
		const events = () => {
			reporter.enqueue('diagnostics', { event: 'log.error', severity: 'CRITICAL', title: `token ${BOT_TOKEN}`, data: { error, header: `Authorization: Bot ${BOT_TOKEN}`, [apiToken]: 'key' } });
			reporter.enqueue('logs', { event: `db ${dbPassword}`, data: { url: `postgres://nexus:${dbPassword}@db/nexus`, stray: strayToken, nested: { deep: [apiToken] } } });
			reporter.enqueue('logs', { event: 'big', severity: 'WARNING', data: { blob: `${'x'.repeat(5000)} ${BOT_TOKEN} ${apiToken}`, stack: `at ${dbPassword}\n`.repeat(400) } });
		};
		events();
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).length === 2 && delivered(t.sandbox, CHANNELS.diagnostics).length === 1, 3000, 'delivery');
		// Through the spool too.
		await t.sandbox.faults.outage();
		events();
		await waitFor(() => reporter.snapshot().channels.logs.spool.events === 2, 3000, 'spooled');
		const spoolText = ['logs', 'diagnostics'].flatMap((ch) => readdirSync(join(t.tmp.dir, ch)).map((name) => readFileSync(join(t.tmp.dir, ch, name), 'utf8'))).join('\n');
		await t.sandbox.faults.recover();
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).length === 4 && delivered(t.sandbox, CHANNELS.diagnostics).length === 2, 5000, 'replay');

		const posts = messagePosts(t.sandbox);
		expect(posts.some((r) => r.files.length > 0)).toBe(true);
		const everything = [spoolText, ...posts.map((r) => JSON.stringify(r.body)), ...posts.flatMap((r) => r.files.map((file) => file.data.toString('utf8')))].join('\n');
		for (const secret of [BOT_TOKEN, apiToken, dbPassword, strayToken]) expect(everything).not.toContain(secret);
		expect(everything).toContain('[REDACTED]');
	});

	it('stop() during an outage spools every queued event; the next run replays them in order with continuing seqs', async () => {
		const first = t.make();
		first.reporter.start();
		await t.sandbox.faults.outage();
		for (let i = 0; i < 300; i++) first.reporter.enqueue('logs', { event: 'queued', data: { i } });
		first.reporter.enqueue('diagnostics', { event: 'late.critical', severity: 'CRITICAL' });
		await first.reporter.stop(AbortSignal.timeout(3000));
		t.forget(first.reporter);

		await t.sandbox.faults.recover();
		const second = t.make();
		expect(second.reporter.snapshot().channels.logs.spool.events).toBe(300);
		second.reporter.start();
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).length === 300 && delivered(t.sandbox, CHANNELS.diagnostics).length === 1, 5000, 'replay after restart');
		expect(delivered(t.sandbox, CHANNELS.logs).map((e) => e.seq)).toEqual(range(1, 300));
		second.reporter.enqueue('logs', { event: 'next' });
		expect(second.reporter.snapshot().seq).toBe(302);
	});

	it('stop() at the deadline spools the batch still in flight (delivered at least once, never lost)', async () => {
		const first = t.make();
		first.reporter.start();
		t.sandbox.faults.latencyMs = 2000;
		first.reporter.enqueue('diagnostics', { event: 'slow.critical', severity: 'CRITICAL' });
		await new Promise((resolve) => setTimeout(resolve, 300)); // the request is now waiting on the sandbox
		const begin = Date.now();
		await first.reporter.stop(AbortSignal.timeout(200));
		expect(Date.now() - begin).toBeLessThan(1000);
		t.forget(first.reporter);
		t.sandbox.faults.latencyMs = 0;

		const second = t.make();
		expect(second.reporter.snapshot().channels.diagnostics.spool.events).toBe(1);
		second.reporter.start();
		await waitFor(() => second.reporter.snapshot().channels.diagnostics.sentEvents === 1, 5000, 'the replay');
		expect(new Set(delivered(t.sandbox, CHANNELS.diagnostics).map((e) => e.seq))).toEqual(new Set([1]));
	});

	it('testChannel: ok with round trip, or the exact reason per failure', async () => {
		t.sandbox.state.denyChannel(CHANNELS.performance);
		const { reporter } = t.make({ channels: { ...CHANNELS, analytics: MISSING_CHANNEL }, testTimeoutMs: 500 });
		reporter.start();
		const ok = await reporter.testChannel('logs');
		expect(ok).toMatchObject({ channel: 'logs', channelId: CHANNELS.logs, ok: true });
		expect(ok.ms).toBeGreaterThanOrEqual(0);
		const posted = messagePosts(t.sandbox, CHANNELS.logs).at(-1)!;
		expect((posted.body as { embeds: { title: string }[] }).embeds[0]!.title).toBe('🧪 Nexus reporting test');
		expect((posted.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [] });

		expect(await reporter.testChannel('analytics')).toMatchObject({ ok: false, channelId: MISSING_CHANNEL, reason: 'unknown channel (10003)' });
		expect(await reporter.testChannel('performance')).toMatchObject({ ok: false, reason: 'missing permission (50013)' });

		t.sandbox.faults.rateLimit({ route: 'POST /channels/:id/messages', count: 1, retryAfterMs: 1200 });
		const limited = await reporter.testChannel('diagnostics');
		expect(limited.ok).toBe(false);
		expect(limited.reason).toMatch(/^rate limited \(retry after 1\.[23] s\)$/);

		t.sandbox.faults.latencyMs = 1500;
		expect(await reporter.testChannel('logs')).toMatchObject({ ok: false, reason: 'timeout after 500 ms' });
		t.sandbox.faults.latencyMs = 0;

		await t.sandbox.faults.outage();
		expect(await reporter.testChannel('logs')).toMatchObject({ ok: false, reason: 'Discord unreachable (ECONNREFUSED)' });
		await t.sandbox.faults.recover();
	});
});
