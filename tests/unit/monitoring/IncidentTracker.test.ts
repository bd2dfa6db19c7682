import { describe, expect, it, vi } from 'vitest';
import { IncidentTracker } from '#lib/monitoring/IncidentTracker.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';

function setup(graceMs = 30_000, repeatMs = 30 * 60_000) {
	let now = 0;
	const posts: ReportEventInput[] = [];
	const incidents = new IncidentTracker({ report: (input) => posts.push(input), graceMs, repeatMs, now: () => now });
	return { incidents, posts, advance: (ms: number) => (now += ms) };
}

describe('IncidentTracker', () => {
	it('a 10-minute Redis outage with a failure every 2 s: one start post after the grace, no reminder inside 30 min, one recovery post with duration and count', () => {
		const { incidents, posts, advance } = setup();
		const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
		for (let t = 0; t < 600_000; t += 2000) {
			incidents.failure('redis', error);
			incidents.tick();
			advance(2000);
		}
		incidents.recovered('redis');
		expect(posts.map((post) => post.event)).toEqual(['incident.started', 'incident.recovered']);
		expect(posts[0]).toMatchObject({ severity: 'CRITICAL', title: 'Redis unavailable: connect ECONNREFUSED 127.0.0.1:6390', data: { dependency: 'redis', failures: 16 } });
		expect(posts[1]).toMatchObject({ severity: 'INFO', title: 'Redis recovered after 10 min (300 failures)', data: { failures: 300, durationMs: 600_000 } });
		expect(incidents.snapshot()).toEqual([]);
	});

	it('reminds at most every repeat interval with the running count', () => {
		const { incidents, posts, advance } = setup(1000, 60_000);
		for (let t = 0; t <= 150_000; t += 500) {
			incidents.failure('database', new Error('connection terminated'));
			incidents.tick();
			advance(500);
		}
		expect(posts.map((post) => post.event)).toEqual(['incident.started', 'incident.ongoing', 'incident.ongoing']);
		expect(posts[1]!.title).toBe('Statistics database still unavailable after 1 min 1 s (123 failures)');
		expect(posts[2]!.data).toMatchObject({ failures: 243 });
	});

	it('backoff retries (1, 2, 4, 8 s apart) still make one incident', () => {
		const { incidents, posts, advance } = setup(2000);
		for (const gap of [0, 1000, 2000, 4000, 8000]) {
			advance(gap);
			incidents.failure('redis', new Error('connect ECONNREFUSED'));
			incidents.tick();
		}
		incidents.recovered('redis');
		expect(posts.map((post) => post.title)).toEqual(['Redis unavailable: connect ECONNREFUSED', 'Redis recovered after 15 s (5 failures)']);
	});

	it('a blip is silent: recovered within the grace, or failures that stop without a recovery signal', () => {
		const { incidents, posts, advance } = setup(5000);
		incidents.failure('redis', new Error('ECONNRESET'));
		advance(3000);
		incidents.failure('redis', new Error('ECONNRESET'));
		incidents.recovered('redis');
		advance(10_000);
		incidents.tick();
		incidents.failure('redis', new Error('ECONNRESET'));
		advance(6000);
		incidents.tick();
		// One failure, even past the grace, is not an outage; quiet for a minute, it is forgotten.
		expect(posts).toEqual([]);
		advance(55_000);
		incidents.tick();
		expect(incidents.isFailing('redis')).toBe(false);
		incidents.failure('redis', new Error('ECONNRESET'));
		advance(4000);
		incidents.tick();
		expect(posts).toEqual([]);
		expect(incidents.snapshot()).toMatchObject([{ dependency: 'redis', state: 'pending', failures: 1 }]);
	});

	it('keeps dependencies apart and labels report channels', () => {
		const { incidents, posts, advance } = setup(0, 0);
		for (let i = 0; i < 2; i++) {
			incidents.failure('report-channel:logs', 'Missing Access');
			incidents.failure('redis', new Error('x'));
		}
		advance(60_000);
		incidents.tick();
		incidents.recovered('report-channel:logs');
		expect(posts.map((post) => post.title)).toEqual(['Report channel "logs" unavailable: Missing Access', 'Redis unavailable: x', 'Report channel "logs" recovered after 1 min (2 failures)']);
		expect(incidents.isFailing('redis')).toBe(true);
	});

	it('down(): a known-down state opens after the grace with a single failure and never goes quiet; failure() alone would not', () => {
		const { incidents, posts, advance } = setup(5000);
		incidents.down('discord-gateway', 'shard 0: disconnected, reconnecting');
		incidents.failure('report-channel:logs', new Error('Missing Access'));
		advance(120_000);
		incidents.tick();
		expect(posts.map((post) => post.title)).toEqual(['Discord gateway unavailable: shard 0: disconnected, reconnecting']);
		expect(incidents.isFailing('report-channel:logs')).toBe(false);
		incidents.recovered('discord-gateway');
		expect(posts[1]!.title).toBe('Discord gateway recovered after 2 min (1 failure)');
	});

	it('keeps a timer only while an incident is pending or open: a healthy bot is not woken every second', () => {
		vi.useFakeTimers();
		try {
			const posts: ReportEventInput[] = [];
			const incidents = new IncidentTracker({ report: (input) => posts.push(input), graceMs: 2_000, repeatMs: 60_000 });
			incidents.start();
			expect(vi.getTimerCount()).toBe(0);
			incidents.failure('redis', new Error('down'));
			incidents.failure('redis', new Error('down'));
			expect(vi.getTimerCount()).toBe(1);
			vi.advanceTimersByTime(3_000); // the timer opens the incident after the grace
			expect(posts.map((post) => post.event)).toEqual(['incident.started']);
			incidents.recovered('redis');
			vi.advanceTimersByTime(1_000);
			expect(vi.getTimerCount()).toBe(0);
			incidents.down('database', new Error('gone'));
			expect(vi.getTimerCount()).toBe(1);
			incidents.stop();
			expect(vi.getTimerCount()).toBe(0);
		} finally {
			vi.useRealTimers();
		}
	});
});
