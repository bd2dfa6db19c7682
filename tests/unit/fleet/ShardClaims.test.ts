import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisIdentifyThrottler } from '#lib/fleet/RedisIdentifyThrottler.js';
import { ShardClaims, ShardOverlapError } from '#lib/fleet/ShardClaims.js';

const prefix = `nexus:unit-${randomBytes(4).toString('hex')}:`;
const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
	const keys = await redis.keys(`${prefix}*`);
	if (keys.length) await redis.del(...keys);
	await redis.quit();
});

describe('ShardClaims (real Redis)', () => {
	it('refuses an overlapping range, naming the machine; frees it on release or after the TTL', async () => {
		const a = new ShardClaims({ redis, prefix: `${prefix}owner:`, machine: 'machine-a', ttlMs: 1500 });
		const b = new ShardClaims({ redis, prefix: `${prefix}owner:`, machine: 'machine-b', ttlMs: 1500 });
		await a.claim([0, 1]);
		const refused = await b.claim([1, 2]).catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(ShardOverlapError);
		expect((refused as Error).message).toMatch(/shard\(s\) already run by another machine: 1 on "machine-a"/);
		// All or nothing: machine-b did not keep shard 2 either.
		expect([...(await b.owners([0, 1, 2]))]).toEqual([
			[0, 'machine-a'],
			[1, 'machine-a']
		]);
		// Renewed while machine-a runs (TTL 1.5 s, renewal every 1 s).
		await sleep(2000);
		expect(await b.claim([1]).catch((error: unknown) => error)).toBeInstanceOf(ShardOverlapError);
		// The same machine restarting takes its own claims over.
		const again = new ShardClaims({ redis, prefix: `${prefix}owner:`, machine: 'machine-a', ttlMs: 1500 });
		await again.claim([0, 1]);
		await again.release();
		await a.release();
		await b.claim([1, 2]);
		await b.release();
		// A machine that dies stops renewing: its claims lapse.
		const dead = new ShardClaims({ redis, prefix: `${prefix}dead:`, machine: 'dead', ttlMs: 600 });
		await dead.claim([5]);
		(dead as unknown as { timer: NodeJS.Timeout }).timer.unref();
		clearInterval((dead as unknown as { timer: NodeJS.Timeout }).timer);
		await sleep(800);
		const next = new ShardClaims({ redis, prefix: `${prefix}dead:`, machine: 'next', ttlMs: 600 });
		await next.claim([5]);
		await next.release();
	});
});

describe('RedisIdentifyThrottler (real Redis)', () => {
	it('one identify per bucket per window across throttlers (processes); other buckets go at once', async () => {
		const make = (holder: string) => new RedisIdentifyThrottler({ redis: () => redis, prefix: `${prefix}identify:`, maxConcurrency: 2, holder, windowMs: 800 });
		const [p, q] = [make('a'), make('b')];
		const signal = new AbortController().signal;
		const start = Date.now();
		const times: Record<string, number> = {};
		await Promise.all([
			p.waitForIdentify(0, signal).then(() => (times.s0 = Date.now() - start)),
			q.waitForIdentify(2, signal).then(() => (times.s2 = Date.now() - start)),
			q.waitForIdentify(1, signal).then(() => (times.s1 = Date.now() - start)),
			p.waitForIdentify(4, signal).then(() => (times.s4 = Date.now() - start))
		]);
		// Bucket 0 (shards 0, 2, 4): three identifies, each a full window after the previous.
		const bucket0 = [times.s0!, times.s2!, times.s4!].sort((x, y) => x - y);
		expect(bucket0[1]! - bucket0[0]!).toBeGreaterThanOrEqual(750);
		expect(bucket0[2]! - bucket0[1]!).toBeGreaterThanOrEqual(750);
		// Bucket 1 (shard 1) did not wait for bucket 0.
		expect(times.s1).toBeLessThan(bucket0[1]!);
	});

	it('an aborted wait rejects', async () => {
		const throttler = new RedisIdentifyThrottler({ redis: () => redis, prefix: `${prefix}abort:`, maxConcurrency: 1, holder: 'x', windowMs: 5000 });
		await throttler.waitForIdentify(0, new AbortController().signal);
		const controller = new AbortController();
		const waiting = throttler.waitForIdentify(0, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow();
	});
});
