import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { FleetService, type ShardSample } from '#lib/fleet/FleetService.js';
import { fleetViewKeys } from '#lib/fleet/fleetViewKeys.js';
import { MetricsRegistry } from '#lib/metrics/MetricsRegistry.js';

const queue = `test-fleet-${randomBytes(4).toString('hex')}`;
const keys = fleetViewKeys(queue);
const connections: Redis[] = [];
async function connect(): Promise<Redis> {
	const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
	connections.push(redis);
	await redis.connect();
	return redis;
}

afterAll(async () => {
	const redis = connections[0];
	if (redis?.status === 'ready') {
		const found = await redis.keys(`nexus:${queue}:*`);
		if (found.length) await redis.del(...found);
	}
	for (const connection of connections) connection.disconnect();
});

function shardProcess(redis: Redis, shard: number, sample: Partial<ShardSample> = {}) {
	const metrics = new MetricsRegistry({ shard, defaultMetrics: false });
	metrics.gatewayEvents.inc({ type: 'MESSAGE_CREATE' }, 10 * (shard + 1));
	const fleet = new FleetService({
		redis,
		keys,
		shard,
		shardCount: 2,
		intervalMs: 1000,
		collect: () => ({ status: 'READY', pingMs: 30 + shard, guilds: shard + 1, events: 10 * (shard + 1), commands: 0, rssBytes: 1e8, eventLoopP99Ms: 5, ...sample }),
		metricsText: () => metrics.metricsText()
	});
	return { fleet, metrics };
}

describe('FleetService (real Redis)', () => {
	it('publishes each process to the fleet hash; any process reads the whole fleet and its merged metrics', async () => {
		const zero = shardProcess(await connect(), 0);
		const one = shardProcess(await connect(), 1, { pingMs: 250, guilds: 7 });
		expect(await zero.fleet.publish()).toBe(true);
		expect(await one.fleet.publish()).toBe(true);

		const raw = await connections[0]!.hgetall(keys.snapshots);
		expect(Object.keys(raw).sort()).toEqual(['0', '1']);
		expect(JSON.parse(raw['1']!)).toMatchObject({ shard: 1, shardCount: 2, status: 'READY', pingMs: 250, guilds: 7, events: 20, intervalMs: 1000 });
		const ttl = await connections[0]!.pttl(keys.metrics(1));
		expect(ttl).toBeGreaterThan(2000);
		expect(ttl).toBeLessThanOrEqual(3000);

		const summary = await zero.fleet.snapshot();
		expect(summary).toMatchObject({ shardCount: 2, reporting: 2, ready: 2, missing: [], worstLatency: { shard: 1, pingMs: 250 }, totals: { guilds: 8, events: 30 } });
		expect(zero.fleet.latest).toBe(summary);

		const text = await zero.fleet.metricsText();
		expect(text.match(/^nexus_gateway_events_total\{.*\} \d+$/gm)).toEqual(['nexus_gateway_events_total{type="MESSAGE_CREATE",shard="0"} 10', 'nexus_gateway_events_total{type="MESSAGE_CREATE",shard="1"} 20']);
		expect(text.match(/^# TYPE nexus_gateway_events_total/gm)).toHaveLength(1);

		// The serving process's own series are read live, not from its last publication.
		zero.metrics.gatewayEvents.inc({ type: 'MESSAGE_CREATE' }, 5);
		expect(await zero.fleet.metricsText()).toContain('nexus_gateway_events_total{type="MESSAGE_CREATE",shard="0"} 15');

		// A clean stop: marked STOPPED, series gone; the other process sees it missing.
		await one.fleet.stop();
		expect(await connections[0]!.exists(keys.metrics(1))).toBe(0);
		const after = await zero.fleet.snapshot();
		expect(after).toMatchObject({ shardCount: 2, reporting: 1, ready: 1, missing: [1] });
		expect(after.shards.find((shard) => shard.shard === 1)?.status).toBe('STOPPED');
		expect(await zero.fleet.metricsText()).not.toContain('shard="1"');
	});

	it('runs on its own timer from start() until stop()', async () => {
		const redis = await connect();
		const three = new FleetService({ redis, keys, shard: 3, shardCount: 4, intervalMs: 150, collect: () => ({ status: 'READY', pingMs: 1, guilds: 0, events: 0, commands: 0, rssBytes: 0, eventLoopP99Ms: null }), metricsText: async () => '' });
		three.start();
		await new Promise((resolve) => setTimeout(resolve, 500));
		await three.stop();
		expect(three.stats.published).toBeGreaterThanOrEqual(3);
		const published = three.stats.published;
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(three.stats.published).toBe(published);
	});

	it('without Redis: publishing is skipped, reads show this process only, nothing throws', async () => {
		const down = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
		connections.push(down);
		const alone = shardProcess(down, 0);
		expect(await alone.fleet.publish()).toBe(false);
		expect(alone.fleet.stats.skipped).toBe(1);
		expect(await alone.fleet.snapshot()).toMatchObject({ shardCount: 2, reporting: 1, missing: [1] });
		expect(await alone.fleet.metricsText()).toBe(await alone.metrics.metricsText());
		await alone.fleet.stop();
	});
	it('a lone process publishes its snapshot but not its metrics text (no peer would merge it)', async () => {
		const redis = await connect();
		const metrics = new MetricsRegistry({ shard: 5, defaultMetrics: false });
		let rendered = 0;
		const fleet = new FleetService({
			redis,
			keys,
			shard: 5,
			shardCount: 1,
			intervalMs: 1000,
			collect: () => ({ status: 'READY', pingMs: 30, guilds: 1, events: 0, commands: 0, rssBytes: 1e8, eventLoopP99Ms: 5 }),
			metricsText: () => (rendered++, metrics.metricsText())
		});
		expect(await fleet.publish()).toBe(true);
		expect(JSON.parse((await redis.hget(keys.snapshots, '5'))!)).toMatchObject({ shard: 5, shardCount: 1, status: 'READY' });
		expect(await redis.exists(keys.metrics(5))).toBe(0);
		expect(rendered).toBe(0);
		// Its own /metrics is still whole.
		expect(await fleet.metricsText()).toContain('nexus_');
		await redis.hdel(keys.snapshots, '5');
	});
});
