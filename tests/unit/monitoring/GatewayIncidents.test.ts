import { describe, expect, it } from 'vitest';
import { GatewayIncidents } from '#lib/monitoring/GatewayIncidents.js';
import { IncidentTracker } from '#lib/monitoring/IncidentTracker.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';

function setup() {
	let now = 0;
	const posts: ReportEventInput[] = [];
	const tracker = new IncidentTracker({ report: (input) => posts.push(input), graceMs: 30_000, repeatMs: 30 * 60_000, now: () => now });
	const gateway = new GatewayIncidents(() => tracker);
	return { tracker, gateway, posts, advance: (ms: number) => (now += ms) };
}

describe('GatewayIncidents', () => {
	it('a resume within the grace is silent', () => {
		const { tracker, gateway, posts, advance } = setup();
		gateway.disconnected(0, 'disconnected, reconnecting');
		advance(600);
		tracker.tick();
		gateway.connected(0);
		advance(60_000);
		tracker.tick();
		expect(posts).toEqual([]);
		expect(tracker.snapshot()).toEqual([]);
	});

	it('one disconnection longer than the grace (no further event meanwhile) is one incident; recovered once every shard is back', () => {
		const { tracker, gateway, posts, advance } = setup();
		gateway.disconnected(0, 'disconnected, reconnecting');
		gateway.disconnected(1, 'disconnected, reconnecting');
		// Reconnect attempts failing meanwhile are counted; errors of a connected shard are not a disconnection.
		gateway.error(1, new Error('connect ECONNREFUSED 127.0.0.1:9'));
		gateway.error(2, new Error('stray'));
		for (let t = 0; t < 10 * 60_000; t += 1000) {
			advance(1000);
			tracker.tick();
		}
		gateway.connected(0);
		expect(posts.map((post) => post.event)).toEqual(['incident.started']);
		expect(posts[0]!.title).toBe('Discord gateway unavailable: shard 1: connect ECONNREFUSED 127.0.0.1:9');
		gateway.connected(1);
		expect(posts.map((post) => post.event)).toEqual(['incident.started', 'incident.recovered']);
		expect(posts[1]!.title).toBe('Discord gateway recovered after 10 min (3 failures)');
		expect(gateway.disconnectedShards).toEqual([]);
	});

	it('a shard that gave up (close code without reconnect) stays one incident until it is ready again', () => {
		const { tracker, gateway, posts, advance } = setup();
		gateway.disconnected(0, 'disconnected for good (close code 4004)');
		advance(31_000);
		tracker.tick();
		advance(31 * 60_000);
		tracker.tick();
		tracker.tick();
		gateway.connected(0);
		expect(posts.map((post) => post.event)).toEqual(['incident.started', 'incident.ongoing', 'incident.recovered']);
		expect(posts[0]!.title).toBe('Discord gateway unavailable: shard 0: disconnected for good (close code 4004)');
	});
});
