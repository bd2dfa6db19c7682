import { describe, expect, it } from 'vitest';
import { IncidentTracker } from '#lib/monitoring/IncidentTracker.js';
import { delivered as deliveredWithText } from '../../e2e/support/reports.js';
import { CHANNELS, delivered, messagePosts, MISSING_CHANNEL, useReporterSandbox, waitFor } from './support/reportingSandbox.js';

const t = useReporterSandbox({ reporterClock: true });

/** A Reporter wired to an IncidentTracker as boot.ts does, both on the test clock (the tracker is ticked by hand). */
function wired(extra: Parameters<typeof t.make>[0] = {}) {
	let tracker: IncidentTracker | undefined;
	const made = t.make({
		incidents: { failure: (d, e) => tracker?.failure(d, e), down: (d, e) => tracker?.down(d, e), recovered: (d) => tracker?.recovered(d) },
		...extra
	});
	tracker = new IncidentTracker({ report: (input) => made.reporter.enqueue('diagnostics', input), graceMs: 1000, repeatMs: 60_000, now: t.clock.now });
	return { ...made, tracker };
}

/** Incident posts delivered to Diagnostics about one dependency (by its label), with the text they show. */
const incidentPosts = (label: string) =>
	deliveredWithText(t.sandbox, CHANNELS.diagnostics)
		.map((event) => ({ seq: event.seq, event: event.event ?? '', text: event.text.replaceAll('\\"', '"') }))
		.filter((event) => event.event.startsWith('incident.') && event.text.includes(label))
		// In the order raised: a critical still queued in memory when Discord answers again skips the spooled backlog.
		.sort((a, b) => a.seq - b.seq);
const anyPosts = (prefix: string) => delivered(t.sandbox, CHANNELS.diagnostics).filter((event) => event.event?.startsWith(prefix));

describe('Reporter outages as incidents', () => {
	it('Discord REST down longer than the grace: one start, reminders per repeat interval, one recovery with the duration, all delivered after recovery', async () => {
		const { reporter, tracker } = wired();
		reporter.start();
		await t.sandbox.faults.outage();
		reporter.enqueue('logs', { event: 'during', severity: 'CRITICAL' });
		await waitFor(() => reporter.snapshot().channels.logs.failures.retryable >= 1, 5000, 'the first failed send');
		expect(tracker.snapshot()).toMatchObject([{ dependency: 'discord-rest', state: 'pending' }]);
		// Backoff retries (on the test clock) keep failing past the grace.
		for (let i = 0; i < 4; i++) {
			const before = reporter.snapshot().channels.logs.failures.retryable + reporter.snapshot().channels.diagnostics.failures.retryable;
			t.clock.advance(5000);
			await waitFor(() => reporter.snapshot().channels.logs.failures.retryable + reporter.snapshot().channels.diagnostics.failures.retryable > before, 5000, 'a retry');
			tracker.tick();
		}
		expect(tracker.snapshot()).toMatchObject([{ dependency: 'discord-rest', state: 'open' }]);
		// Ticks during the outage: a reminder only once the repeat interval is over, not per failure or tick.
		for (let i = 0; i < 10; i++) tracker.tick();
		t.clock.advance(60_000);
		for (let i = 0; i < 10; i++) tracker.tick();

		await t.sandbox.faults.recover();
		t.clock.advance(120_000);
		await waitFor(() => incidentPosts('Discord REST API').some((event) => event.event === 'incident.recovered'), 10_000, 'the recovery post');
		const posts = incidentPosts('Discord REST API');
		expect(posts.map((event) => event.event)).toEqual(['incident.started', 'incident.ongoing', 'incident.recovered']);
		expect(posts[0]!.text).toMatch(/Discord REST API unavailable: Discord unreachable/);
		expect(posts[2]!.text).toMatch(/Discord REST API recovered after \d+ min( \d+ s)? \(\d+ failures\)/);
		expect(tracker.snapshot()).toEqual([]);
	});

	it('a Discord blip shorter than the grace posts nothing', async () => {
		const { reporter, tracker } = wired();
		reporter.start();
		await t.sandbox.faults.outage();
		reporter.enqueue('logs', { event: 'during', severity: 'CRITICAL' });
		await waitFor(() => reporter.snapshot().channels.logs.failures.retryable >= 1, 5000, 'the failed send');
		tracker.tick();
		await t.sandbox.faults.recover();
		t.clock.advance(500);
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).length === 1, 5000, 'the replay');
		await waitFor(() => tracker.snapshot().length === 0, 3000, 'the recovery signal');
		t.clock.advance(5000);
		tracker.tick();
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(anyPosts('incident.')).toEqual([]);
	});

	it('an unknown channel (404) is one incident after the grace, replacing the one-off post; retries count into it; no request storm', async () => {
		const { reporter, tracker, stderr } = wired({ channels: { ...CHANNELS, analytics: MISSING_CHANNEL }, analyticsIntervalMs: 50 });
		reporter.start();
		reporter.enqueue('analytics', { event: 'usage' });
		await waitFor(() => messagePosts(t.sandbox, MISSING_CHANNEL).length === 1, 3000, 'the first attempt');
		await waitFor(() => stderr.some((line) => line.includes('is unavailable: unknown channel (10003)')), 3000, 'the stderr line');
		tracker.tick();
		expect(tracker.snapshot()).toMatchObject([{ dependency: 'report-channel:analytics', state: 'pending' }]);
		t.clock.advance(1500);
		tracker.tick();
		await waitFor(() => incidentPosts('Report channel "analytics"').length === 1, 3000, 'the incident post');
		expect(incidentPosts('Report channel "analytics"')[0]!.text).toContain(
			`Report channel "analytics" unavailable: unknown channel (10003) (REPORT_CHANNEL_ANALYTICS=${MISSING_CHANNEL}; its reports go to stderr, retried every 600 s)`
		);
		// The retry after REPORT_CHANNEL_RETRY_MS fails again: counted, not posted.
		t.clock.advance(600_000);
		reporter.enqueue('analytics', { event: 'usage', data: { retry: true } });
		await waitFor(() => messagePosts(t.sandbox, MISSING_CHANNEL).length === 2, 3000, 'one retry');
		await waitFor(() => tracker.snapshot()[0]?.failures === 2, 3000, 'the retry counted');
		expect(stderr.filter((line) => line.includes('is unavailable'))).toHaveLength(1);
		await new Promise((resolve) => setTimeout(resolve, 200));
		// …except for the reminder, due because the repeat interval (1 min here) is over, with the running count.
		const posts = incidentPosts('Report channel "analytics"');
		expect(posts.map((event) => event.event)).toEqual(['incident.started', 'incident.ongoing']);
		expect(posts[1]!.text).toContain('Report channel "analytics" still unavailable after 10 min 2 s (2 failures)');
		expect(anyPosts('reporter.channel_')).toEqual([]);
	});

	it('a forbidden channel (403) that gets its access back posts one recovery with the duration', async () => {
		t.sandbox.state.denyChannel(CHANNELS.performance);
		const { reporter, tracker, stderr } = wired();
		reporter.start();
		reporter.enqueue('performance', { event: 'sample', severity: 'CRITICAL', data: { n: 1 } });
		await waitFor(() => stderr.some((line) => line.includes('is unavailable: missing permission (50013)')), 3000, 'the 403');
		t.clock.advance(2000);
		tracker.tick();
		t.sandbox.state.allowChannel(CHANNELS.performance);
		t.clock.advance(600_001);
		reporter.enqueue('performance', { event: 'sample', severity: 'CRITICAL', data: { n: 2 } });
		await waitFor(() => delivered(t.sandbox, CHANNELS.performance).length === 1, 3000, 'delivery after recovery');
		await waitFor(() => incidentPosts('Report channel "performance"').length === 2, 3000, 'the recovery post');
		const [started, recovered] = incidentPosts('Report channel "performance"');
		expect(started!.text).toMatch(/Report channel "performance" unavailable: missing permission \(50013\)/);
		expect(recovered!.text).toContain('Report channel "performance" recovered after 10 min 2 s (1 failure)');
		expect(anyPosts('reporter.channel_')).toEqual([]);
	});
});
