import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSendRateLimiter } from '#lib/reporting/RedisSendRateLimiter.js';

const prefix = `test:sendrate:${randomBytes(4).toString('hex')}:`;
const connections: Redis[] = [];
async function connect(): Promise<Redis> {
	const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
	connections.push(redis);
	await redis.connect();
	return redis;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
	const [redis] = connections;
	if (redis?.status === 'ready') {
		const keys = await redis.keys(`${prefix}*`);
		if (keys.length) await redis.del(...keys);
	}
	for (const redis of connections) redis.disconnect();
});

describe('RedisSendRateLimiter (real Redis)', () => {
	it('gives three processes ONE window per key: never more than `limit` sends in any window, and the budget is used', async () => {
		const windowMs = 400;
		const limiters = await Promise.all(
			[0, 1, 2].map(async () => {
				const redis = await connect();
				return new RedisSendRateLimiter({ redis: () => redis, prefix, fleetSize: 3, limit: 5, windowMs, marginMs: 0, reservedForUrgent: 0, burst: 5 });
			})
		);
		const sent: number[] = [];
		const until = Date.now() + 2000;
		await Promise.all(
			limiters.map(async (limiter) => {
				while (Date.now() < until) {
					const wait = await limiter.tryAcquire('channel-a', Date.now(), false);
					if (wait === 0) {
						sent.push(Date.now());
						await limiter.complete('channel-a', Date.now()); // the send is done at once
					} else await sleep(Math.min(wait, 50));
				}
			})
		);
		sent.sort((a, b) => a - b);
		// Locally recorded times lag Redis's by a round trip at most: allow a few ms of jitter.
		for (let i = 5; i < sent.length; i++) expect(sent[i]! - sent[i - 5]!).toBeGreaterThanOrEqual(windowMs - 15);
		// 2 s / 0.4 s windows x 5 = 25 sends possible; a shared budget that starved callers would show far fewer.
		expect(sent.length).toBeGreaterThanOrEqual(18);
		expect(sent.length).toBeLessThanOrEqual(30);
		expect(limiters.reduce((sum, limiter) => sum + limiter.counters.shared, 0)).toBe(sent.length);
	});

	it('keeps the reserved slot for urgent sends, fleet-wide, and keys are independent', async () => {
		const [a, b] = [await connect(), await connect()];
		const one = new RedisSendRateLimiter({ redis: () => a, prefix, fleetSize: 2, limit: 5, windowMs: 5000, marginMs: 0, reservedForUrgent: 1, burst: 5 });
		const two = new RedisSendRateLimiter({ redis: () => b, prefix, fleetSize: 2, limit: 5, windowMs: 5000, marginMs: 0, reservedForUrgent: 1, burst: 5 });
		for (let i = 0; i < 2; i++) expect(await one.tryAcquire('channel-b', 0, false)).toBe(0);
		for (let i = 0; i < 2; i++) expect(await two.tryAcquire('channel-b', 0, false)).toBe(0);
		// 4 ordinary sends used the ordinary budget of the whole fleet.
		const wait = await one.tryAcquire('channel-b', 0, false);
		expect(wait).toBeGreaterThan(4000);
		expect(wait).toBeLessThanOrEqual(5000);
		expect(await two.tryAcquire('channel-b', 0, true)).toBe(0);
		expect(await one.tryAcquire('channel-b', 0, true)).toBeGreaterThan(4000);
		expect(await one.tryAcquire('channel-c', 0, false)).toBe(0);
	});

	it('cancel() gives the slot back to the fleet; complete() moves it to when the send finished', async () => {
		const [a, b] = [await connect(), await connect()];
		const options = { prefix, fleetSize: 2, limit: 1, windowMs: 600, marginMs: 0, reservedForUrgent: 0, burst: 1 };
		const one = new RedisSendRateLimiter({ ...options, redis: () => a });
		const two = new RedisSendRateLimiter({ ...options, redis: () => b });
		expect(await one.tryAcquire('channel-d', 0, false)).toBe(0);
		expect(await two.tryAcquire('channel-d', 0, false)).toBeGreaterThan(0);
		await one.cancel('channel-d');
		expect(await two.tryAcquire('channel-d', 0, false)).toBe(0);

		await sleep(300);
		await two.complete('channel-d', Date.now()); // a slow send: Discord saw it 300 ms after the reservation
		const wait = await one.tryAcquire('channel-d', 0, false);
		expect(wait).toBeGreaterThan(450); // ~600 from the completion, not ~300 from the reservation
		const score = Number(await a.zscore(`${prefix}channel-d`, (await a.zrange(`${prefix}channel-d`, 0, 0))[0]!));
		expect(Math.abs(score - Date.now())).toBeLessThan(250);
	});

	it('a send still in flight keeps its slot until complete(), however long it waited after its reservation', async () => {
		const [a, b] = [await connect(), await connect()];
		const options = { prefix, fleetSize: 2, limit: 2, windowMs: 400, marginMs: 0, reservedForUrgent: 0, burst: 2 };
		const one = new RedisSendRateLimiter({ ...options, redis: () => a });
		const two = new RedisSendRateLimiter({ ...options, redis: () => b });
		expect(await one.tryAcquire('channel-g', 0, false)).toBe(0);
		expect(await one.tryAcquire('channel-g', 0, false)).toBe(0);
		// Both sends are still queued in discord.js, long past the window: Discord has not seen them yet.
		await sleep(600);
		const wait = await two.tryAcquire('channel-g', 0, false);
		expect(wait).toBeGreaterThan(300); // a full window from now, not 0
		expect(wait).toBeLessThanOrEqual(400);
		await one.complete('channel-g', Date.now());
		await one.complete('channel-g', Date.now());
		// They reached Discord just now: the window runs from their completion.
		expect(await two.tryAcquire('channel-g', 0, false)).toBeGreaterThan(300);
		await sleep(450);
		expect(await two.tryAcquire('channel-g', 0, false)).toBe(0);
	});

	it('a slow answer under load is not an outage: the send waits for the shared window instead of using a local share beside it', async () => {
		const [a, b] = [await connect(), await connect()];
		const options = { prefix, fleetSize: 3, limit: 5, windowMs: 5000, marginMs: 0, reservedForUrgent: 0, burst: 5, timeoutMs: 100 };
		const modes: string[] = [];
		const slow = new RedisSendRateLimiter({ ...options, redis: () => a, fallbackAfterMs: 1500, onModeChange: (mode) => modes.push(mode) });
		const fast = new RedisSendRateLimiter({ ...options, redis: () => b });
		expect(await slow.tryAcquire('channel-f', Date.now(), false)).toBe(0); // connected once, and its scripts defined
		for (let i = 0; i < 4; i++) expect(await fast.tryAcquire('channel-f', Date.now(), false)).toBe(0);
		// Every answer to this process now comes 300 ms late (a loaded host): each call times out at 100 ms.
		const acquire = (a as unknown as { nexusSendAcquire: (...args: unknown[]) => Promise<unknown> }).nexusSendAcquire.bind(a);
		(a as unknown as { nexusSendAcquire: unknown }).nexusSendAcquire = (...args: unknown[]) => sleep(300).then(() => acquire(...args));
		// The shared window is full: a local share of floor(5 / 3) = 1 here would be a 6th send in 5 s.
		const wait = await slow.tryAcquire('channel-f', Date.now(), false);
		expect(wait).toBeGreaterThan(0);
		expect(wait).toBeLessThanOrEqual(500);
		expect(modes).toEqual([]);
		// Still failing past fallbackAfterMs: that is an outage, and this process paces on its own share.
		await sleep(1600);
		expect(await slow.tryAcquire('channel-f', Date.now(), false)).toBe(0);
		expect(modes).toEqual(['local']);
		expect(slow.counters.local).toBe(1);
	});

	it('falls back to a per-process share of the budget while Redis is unreachable, and goes back to the shared window', async () => {
		const modes: string[] = [];
		let redis: Redis | undefined;
		const limiter = new RedisSendRateLimiter({ redis: () => redis, prefix, fleetSize: 3, limit: 5, windowMs: 5000, marginMs: 0, onModeChange: (mode) => modes.push(mode) });
		// No connection: a share of floor(5 / 3) = 1 send per window for this process.
		expect(await limiter.tryAcquire('channel-e', 1000, false)).toBe(0);
		expect(await limiter.tryAcquire('channel-e', 1001, false)).toBe(4999);
		expect(await limiter.tryAcquire('channel-e', 1002, true)).toBe(4998);
		await limiter.complete('channel-e', 1500);
		expect(await limiter.tryAcquire('channel-e', 6100, false)).toBe(400);

		const down = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
		connections.push(down);
		redis = down; // a client that is not connected is not used
		expect(await limiter.tryAcquire('channel-e', 6200, false)).toBe(300);

		redis = await connect();
		expect(await limiter.tryAcquire('channel-e', 6300, false)).toBe(0);
		expect(await redis.zcard(`${prefix}channel-e`)).toBe(1);
		// Not reachable at start-up is not news (the Redis service says so); losing it later is, and so is getting it back.
		expect(modes).toEqual([]);
		redis = down;
		expect(await limiter.tryAcquire('channel-e', 6400, false)).toBe(100);
		redis = connections.at(-1);
		expect(await limiter.tryAcquire('channel-e', 6500, false)).toBe(0);
		expect(modes).toEqual(['local', 'redis']);
		expect(limiter.counters).toMatchObject({ shared: 2, local: 1 });
	});
});
