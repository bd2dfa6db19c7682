import { describe, expect, it } from 'vitest';
import { fleetHealth } from '#lib/fleet/fleetHealth.js';
import { parseShardSnapshot, type ShardSnapshot } from '#lib/fleet/ShardSnapshot.js';
import { fleetLine, summarizeFleet } from '#lib/fleet/summarizeFleet.js';

const NOW = 1_700_000_000_000;
const snapshot = (shard: number, overrides: Partial<ShardSnapshot> = {}): ShardSnapshot => ({
	shard,
	shardCount: 3,
	pid: 1000 + shard,
	ts: NOW - 1000,
	intervalMs: 5000,
	startedAt: NOW - 60_000,
	status: 'READY',
	pingMs: 40 + shard,
	guilds: 10 * (shard + 1),
	events: 1000 * (shard + 1),
	commands: shard,
	rssBytes: 100 * 1024 * 1024,
	eventLoopP99Ms: 12,
	...overrides
});

describe('summarizeFleet', () => {
	it('totals the fresh shards and finds the worst latency', () => {
		const summary = summarizeFleet([snapshot(0), snapshot(1), snapshot(2, { pingMs: 180 })], { now: NOW });
		expect(summary).toMatchObject({ shardCount: 3, reporting: 3, ready: 3, missing: [], worstLatency: { shard: 2, pingMs: 180 } });
		expect(summary.totals).toEqual({ guilds: 60, events: 6000, commands: 3, rssBytes: 300 * 1024 * 1024 });
		expect(fleetLine(summary)).toBe('Fleet: 3/3 shards ready · worst gateway 180 ms (shard 2) · 60 guilds');
	});

	it('calls a shard stale after three missed intervals, leaves it out of the totals and names it missing', () => {
		const summary = summarizeFleet([snapshot(0), snapshot(1, { ts: NOW - 15_001 }), snapshot(2, { status: 'RECONNECTING', pingMs: null })], { now: NOW });
		expect(summary).toMatchObject({ shardCount: 3, reporting: 2, ready: 1, missing: [1], worstLatency: { shard: 0, pingMs: 40 } });
		expect(summary.totals.guilds).toBe(40);
		expect(summary.shards.map((shard) => [shard.shard, shard.stale, shard.ready])).toEqual([
			[0, false, true],
			[1, true, false],
			[2, false, false]
		]);
		expect(fleetLine(summary)).toBe('Fleet: 1/3 shards ready · worst gateway 40 ms (shard 0) · 40 guilds · no recent snapshot from shard 1 · shard 2 reconnecting');
	});

	it('counts a cleanly stopped shard as missing, and a shard never seen too', () => {
		const summary = summarizeFleet([snapshot(0), snapshot(2, { status: 'STOPPED' })], { now: NOW });
		expect(summary.missing).toEqual([1, 2]);
		expect(summary.ready).toBe(1);
	});

	it('sizes the fleet from live shards: an old, larger SHARD_COUNT in a stale entry does not count', () => {
		const summary = summarizeFleet([snapshot(0, { shardCount: 2 }), snapshot(1, { shardCount: 2 }), snapshot(3, { shardCount: 4, ts: NOW - 600_000 })], { now: NOW });
		expect(summary.shardCount).toBe(2);
		expect(summary.missing).toEqual([]);
	});

	it('parses only well-formed snapshots', () => {
		expect(parseShardSnapshot(JSON.stringify(snapshot(1)))).toEqual(snapshot(1));
		expect(parseShardSnapshot('{"shard":"x"}')).toBeUndefined();
		expect(parseShardSnapshot('not json')).toBeUndefined();
		expect(parseShardSnapshot('{"shard":2,"ts":5}')).toMatchObject({ shard: 2, shardCount: 3, status: 'UNKNOWN', pingMs: null });
	});
});

describe('fleetHealth', () => {
	it('gives the health report fleet-wide inputs and a per-shard table', () => {
		const health = fleetHealth(summarizeFleet([snapshot(0), snapshot(1, { ts: NOW - 20_000 }), snapshot(2, { pingMs: 300 })], { now: NOW }))!;
		expect(health).toMatchObject({ shardCount: 3, shardsReady: 2, worstLatencyMs: 300, worstShard: 2 });
		expect(health.details).toMatchObject({ shards: '2/3 ready', missing: [1], worstLatency: { shard: 2, ms: 300 }, totals: { guilds: 40, events: 4000, commands: 2, rssMB: 200 } });
		expect((health.details.perShard as { shard: number; status: string }[]).map((entry) => [entry.shard, entry.status])).toEqual([
			[0, 'READY'],
			[1, 'READY (stale)'],
			[2, 'READY']
		]);
	});

	it('lists problems first when the fleet is larger than the table', () => {
		const many = [...Array(40).keys()].map((id) => snapshot(id, { shardCount: 40, pingMs: id === 33 ? 900 : 40, ts: id === 7 ? NOW - 60_000 : NOW - 1000 }));
		const details = fleetHealth(summarizeFleet(many, { now: NOW }), { maxShards: 5 })!.details;
		const listed = (details.perShard as { shard: number }[]).map((entry) => entry.shard);
		expect(listed).toContain(7);
		expect(listed).toContain(33);
		expect(listed).toHaveLength(5);
		expect(details.omittedShards).toBe(35);
		expect(fleetHealth(undefined)).toBeUndefined();
	});
});

describe('machines in the fleet view', () => {
	it('a machine whose shards all went silent is DOWN, listed with its shards, not merely missing', () => {
		const summary = summarizeFleet(
			[snapshot(0, { machine: 'a' }), snapshot(1, { machine: 'a' }), snapshot(2, { machine: 'b', ts: NOW - 60_000 }), snapshot(3, { machine: 'b', ts: NOW - 60_000, shardCount: 4 })].map((s) => ({ ...s, shardCount: 4 })),
			{ now: NOW }
		);
		expect(summary.machines.map((m) => [m.machine, m.up, m.shards])).toEqual([
			['a', true, [0, 1]],
			['b', false, [2, 3]]
		]);
		expect(fleetLine(summary)).toMatch(/machines 1\/2 up · machine b DOWN \(shard 2, 3, silent 60 s\)/);
		expect(fleetLine(summary)).not.toMatch(/no recent snapshot/);
	});
});
