import { describe, expect, it } from 'vitest';
import { CHANNELS, delivered, messagePosts, range, useReporterSandbox, waitFor } from './support/reportingSandbox.js';

const t = useReporterSandbox({ reporterClock: false });

describe('Reporter against the sandbox', () => {
	it('10,000 INFO events: all delivered once, in order, <= 1 message per 20 events, no 429, every message valid', async () => {
		const { reporter } = t.make();
		reporter.start();
		for (let i = 0; i < 10_000; i++) reporter.enqueue('logs', { event: 'guild.activity', data: { i, guild: '1419516681427882115' } });
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).length >= 10_000, 15_000, '10,000 delivered events');
		const seqs = delivered(t.sandbox, CHANNELS.logs).map((e) => e.seq);
		expect(seqs).toEqual(range(1, 10_000));
		const posts = messagePosts(t.sandbox, CHANNELS.logs);
		expect(posts.every((r) => r.status === 200)).toBe(true);
		expect(posts.length).toBeLessThanOrEqual(10_000 / 20);
		expect(t.sandbox.rateLimited()).toEqual([]);
		for (const post of posts) expect((post.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
		// The sandbox records a request before its response reaches us.
		await waitFor(() => reporter.snapshot().channels.logs.sentEvents === 10_000, 2000, 'the last response');
		const snapshot = reporter.snapshot().channels.logs;
		expect(snapshot).toMatchObject({ sentEvents: 10_000, queued: 0, available: true, backlog: false });
		expect(snapshot.sentMessages).toBe(posts.length);
	});

	it('a CRITICAL event behind a full INFO backlog reaches diagnostics within 2 s', async () => {
		const { reporter } = t.make({ batcher: { maxDigestEvents: 2000 } });
		reporter.start();
		for (let i = 0; i < 40_000; i++) reporter.enqueue('diagnostics', { event: 'noise', data: { i } });
		// Let the backlog start draining (and use up pacing slots) first.
		await waitFor(() => messagePosts(t.sandbox, CHANNELS.diagnostics).length >= 4, 5000, 'backlog sends');
		const enqueuedAt = Date.now();
		reporter.enqueue('diagnostics', { event: 'database.down', severity: 'CRITICAL', data: { message: 'connection refused' } });
		await waitFor(() => delivered(t.sandbox, CHANNELS.diagnostics).some((e) => e.event === 'database.down'), 2000, 'the critical event');
		expect(Date.now() - enqueuedAt).toBeLessThan(2000);
		expect(reporter.snapshot().channels.diagnostics.queued).toBeGreaterThan(0); // the INFO backlog is still waiting
		expect(t.sandbox.rateLimited()).toEqual([]);
	});

	it('waits for the flush interval, or sends at once when a message is full', async () => {
		const { reporter } = t.make({ flushIntervalMs: 60_000 });
		reporter.start();
		reporter.enqueue('performance', { event: 'sample', data: { cpu: 1 } });
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(messagePosts(t.sandbox, CHANNELS.performance)).toHaveLength(0);
		for (let i = 0; i < 60; i++) reporter.enqueue('performance', { event: 'sample', data: { cpu: i } });
		await waitFor(() => messagePosts(t.sandbox, CHANNELS.performance).length >= 1, 2000, 'a full message');
	});

	it('flush intervals come from the clock: 30 s for logs, 15 min for analytics', async () => {
		const { reporter } = t.make({ now: t.clock.now, flushIntervalMs: 30_000, analyticsIntervalMs: 900_000 });
		reporter.start();
		reporter.enqueue('logs', { event: 'a' });
		reporter.enqueue('analytics', { event: 'b' });
		await new Promise((resolve) => setTimeout(resolve, 150));
		expect(messagePosts(t.sandbox)).toHaveLength(0);
		t.clock.advance(30_001);
		await waitFor(() => messagePosts(t.sandbox, CHANNELS.logs).length === 1, 2000, 'the logs flush');
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(messagePosts(t.sandbox, CHANNELS.analytics)).toHaveLength(0);
		t.clock.advance(870_000);
		await waitFor(() => messagePosts(t.sandbox, CHANNELS.analytics).length === 1, 2000, 'the analytics flush');
	});

	it('enqueue never throws and counts what it cannot take; odd data is still delivered', async () => {
		const { reporter } = t.make({ now: t.clock.now });
		reporter.start();
		const cyclic: Record<string, unknown> = { big: 10n ** 30n };
		cyclic.self = cyclic;
		Object.defineProperty(cyclic, 'trap', { enumerable: true, get: () => { throw new Error('getter'); } });
		expect(() => reporter.enqueue('nope' as never, { event: 'x' })).not.toThrow();
		expect(() => reporter.enqueue('logs', null as never)).not.toThrow();
		reporter.enqueue('logs', { event: 42 as never, severity: 'BOGUS' as never, timestamp: 'not a date', data: cyclic });
		reporter.enqueue('logs', { event: 'ok', timestamp: new Date('2024-05-06T07:08:09Z'), data: 'not an object' as never });
		const snapshot = reporter.snapshot();
		expect(snapshot).toMatchObject({ enqueued: 2, enqueueErrors: 2, seq: 2 });
		t.clock.advance(1000);
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).length === 2, 2000, 'delivery');
		const [first, second] = delivered(t.sandbox, CHANNELS.logs);
		expect(first!.event).toBe('42');
		expect(second!.event).toBe('ok');
	});

	it('flush(channel) sends at once, files (a chart) go as attachments shown in the embed', async () => {
		const { reporter } = t.make({ now: t.clock.now, analyticsIntervalMs: 900_000 });
		reporter.start();
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		reporter.enqueue('analytics', { event: 'summary.daily', title: 'Daily summary 2025-01-01', data: { messages: 1234, joins: 5 }, files: [{ name: 'summary.png', data: png }] });
		await reporter.flush('analytics');
		await waitFor(() => messagePosts(t.sandbox, CHANNELS.analytics).length === 1, 2000, 'the summary');
		const [post] = messagePosts(t.sandbox, CHANNELS.analytics);
		expect(post!.files.map((file) => [file.name, file.data.equals(png)])).toEqual([['1-summary.png', true]]);
		const embed = (post!.body as { embeds: { title: string; image: { url: string }; fields: unknown[] }[] }).embeds[0]!;
		expect(embed.title).toBe('🔹 Daily summary 2025-01-01');
		expect(embed.image).toEqual({ url: 'attachment://1-summary.png' });
		expect(embed.fields).toEqual([
			{ name: 'messages', value: '1234', inline: true },
			{ name: 'joins', value: '5', inline: true }
		]);
	});
});
