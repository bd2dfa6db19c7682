import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImageCache } from '#lib/charts/ImageCache.js';
import { canonicalJson, imageCacheKey, type ImageKeyParts } from '#lib/charts/imageCacheKey.js';

const parts = (overrides: Partial<ImageKeyParts> = {}): ImageKeyParts => ({
	guildId: 'g1',
	report: 'server',
	target: null,
	options: { range: '7d', members: 'humans', timezone: 'UTC' },
	dataVersion: 1,
	...overrides
});

/** A render function that counts its calls and returns a distinct buffer each time. */
function counter() {
	let calls = 0;
	const render = vi.fn(async () => Buffer.from(`png-${++calls}`));
	return { render, calls: () => calls };
}

/** A clock the test moves by hand. */
function manualClock(start = 1_000) {
	let now = start;
	return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('imageCacheKey', () => {
	it('is a sha1 that ignores option order and undefined options', () => {
		const a = imageCacheKey(parts({ options: { range: '7d', members: 'humans', timezone: 'UTC' } }));
		const b = imageCacheKey(parts({ options: { timezone: 'UTC', members: 'humans', range: '7d', graphic: undefined } }));
		expect(a).toMatch(/^[0-9a-f]{40}$/);
		expect(a).toBe(b);
	});

	it('changes with every part that changes the image', () => {
		const base = imageCacheKey(parts());
		const variants: Partial<ImageKeyParts>[] = [
			{ guildId: 'g2' },
			{ report: 'member' },
			{ target: 'u1' },
			{ options: { range: '30d', members: 'humans', timezone: 'UTC' } },
			{ options: { range: '7d', members: 'humans', timezone: 'Europe/Paris' } },
			{ options: { range: '7d', members: 'humans', timezone: 'UTC', extra: { nested: [1, 2] } } },
			{ dataVersion: 2 }
		];
		const keys = variants.map((v) => imageCacheKey(parts(v)));
		expect(new Set([base, ...keys]).size).toBe(variants.length + 1);
		// null and missing target are the same report.
		expect(imageCacheKey(parts({ target: undefined }))).toBe(base);
	});

	it('canonical JSON sorts keys at every depth and refuses values that would collide', () => {
		expect(canonicalJson({ b: { d: 1, c: [3, { f: 1, e: 2 }] }, a: new Date(0), n: 10n })).toBe(
			'{"a":"1970-01-01T00:00:00.000Z","b":{"c":[3,{"e":2,"f":1}],"d":1},"n":"10n"}'
		);
		expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
	});
});

describe('ImageCache', () => {
	afterEach(() => vi.useRealTimers());

	it('serves a second identical request from the cache (render called once)', async () => {
		const cache = new ImageCache();
		const { render } = counter();
		const first = await cache.get(parts(), render);
		const second = await cache.get(parts({ options: { timezone: 'UTC', range: '7d', members: 'humans' } }), render);
		expect(render).toHaveBeenCalledTimes(1);
		expect(first).toMatchObject({ cached: false, deduped: false });
		expect(second).toMatchObject({ cached: true, deduped: false, key: first.key });
		expect(second.png.equals(first.png)).toBe(true);
		expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, renders: 1, size: 1 });
	});

	it('renders again for a new data version (the guild flushed new data)', async () => {
		const cache = new ImageCache();
		const { render } = counter();
		await cache.get(parts({ dataVersion: 1 }), render);
		const fresh = await cache.get(parts({ dataVersion: 2 }), render);
		expect(fresh.cached).toBe(false);
		expect(fresh.png.toString()).toBe('png-2');
		expect(render).toHaveBeenCalledTimes(2);
		expect(cache.stats()).toMatchObject({ hits: 0, misses: 2, renders: 2 });
	});

	it.each([0, 1_000])('expires entries after the TTL (5 minutes), with an injected clock starting at %i', async (start) => {
		const clock = manualClock(start);
		const cache = new ImageCache({ now: clock.now });
		const { render } = counter();
		await cache.get(parts(), render);
		clock.advance(5 * 60_000 - 1);
		expect((await cache.get(parts(), render)).cached).toBe(true);
		clock.advance(2);
		expect((await cache.get(parts(), render)).cached).toBe(false);
		expect(render).toHaveBeenCalledTimes(2);
		expect(cache.stats()).toMatchObject({ expirations: 1, evictions: 0, hits: 1, misses: 2 });
	});

	it('expires entries after 5 minutes under vitest fake timers with the default clock', async () => {
		vi.useFakeTimers();
		const cache = new ImageCache();
		const { render } = counter();
		await cache.get(parts(), render);
		vi.advanceTimersByTime(4 * 60_000);
		expect((await cache.get(parts(), render)).cached).toBe(true);
		vi.advanceTimersByTime(60_000 + 1);
		expect((await cache.get(parts(), render)).cached).toBe(false);
		expect(render).toHaveBeenCalledTimes(2);
	});

	it('the 101st distinct key evicts the least recently used; a touched entry survives', async () => {
		const cache = new ImageCache({ max: 100 });
		const { render } = counter();
		for (let v = 0; v < 100; v++) await cache.get(parts({ dataVersion: v }), render);
		expect(cache.size).toBe(100);
		// Touch the oldest: now key 1 is the least recently used.
		expect((await cache.get(parts({ dataVersion: 0 }), render)).cached).toBe(true);
		await cache.get(parts({ dataVersion: 100 }), render);
		expect(cache.size).toBe(100);
		expect(cache.stats().evictions).toBe(1);
		expect((await cache.get(parts({ dataVersion: 0 }), render)).cached).toBe(true);
		expect((await cache.get(parts({ dataVersion: 2 }), render)).cached).toBe(true);
		const evicted = await cache.get(parts({ dataVersion: 1 }), render);
		expect(evicted.cached).toBe(false);
		expect(render).toHaveBeenCalledTimes(102);
	});

	it('ten concurrent identical requests render once', async () => {
		const cache = new ImageCache();
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const render = vi.fn(async () => {
			await gate;
			return Buffer.from('png');
		});
		const requests = Array.from({ length: 10 }, () => cache.get(parts(), render));
		expect(cache.stats().inFlight).toBe(1);
		release();
		const results = await Promise.all(requests);
		expect(render).toHaveBeenCalledTimes(1);
		expect(results.filter((r) => r.deduped)).toHaveLength(9);
		expect(results.every((r) => r.png.toString() === 'png' && !r.cached)).toBe(true);
		expect(cache.stats()).toMatchObject({ misses: 1, dedupes: 9, renders: 1, inFlight: 0, size: 1 });
		expect((await cache.get(parts(), render)).cached).toBe(true);
	});

	it('does not cache a failed render; every waiter sees the error and the next request retries', async () => {
		const cache = new ImageCache();
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const failing = vi.fn(async () => {
			await gate;
			throw new Error('canvas exploded');
		});
		const requests = [cache.get(parts(), failing), cache.get(parts(), failing)];
		release();
		for (const request of requests) await expect(request).rejects.toThrow('canvas exploded');
		expect(failing).toHaveBeenCalledTimes(1);
		const { render } = counter();
		expect((await cache.get(parts(), render)).cached).toBe(false);
		expect(cache.stats()).toMatchObject({ renderErrors: 1, renders: 2, size: 1, inFlight: 0 });
	});

	it('invalidateGuild drops only that guild, including a render in flight', async () => {
		const cache = new ImageCache();
		const { render } = counter();
		await cache.get(parts({ guildId: 'a', report: 'server' }), render);
		await cache.get(parts({ guildId: 'a', report: 'top' }), render);
		await cache.get(parts({ guildId: 'b' }), render);

		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const slow = cache.get(parts({ guildId: 'a', report: 'activity' }), async () => {
			await gate;
			return Buffer.from('old');
		});
		expect(cache.invalidateGuild('a')).toBe(2);
		release();
		expect((await slow).png.toString()).toBe('old');

		expect(cache.size).toBe(1);
		expect((await cache.get(parts({ guildId: 'b' }), render)).cached).toBe(true);
		expect((await cache.get(parts({ guildId: 'a', report: 'server' }), render)).cached).toBe(false);
		expect((await cache.get(parts({ guildId: 'a', report: 'activity' }), render)).cached).toBe(false);
		expect(cache.stats().invalidations).toBe(2);
		expect(cache.invalidateGuild('nobody')).toBe(0);
	});

	it('keeps its guild index no larger than the cache', async () => {
		const clock = manualClock();
		const cache = new ImageCache({ max: 3, now: clock.now });
		const { render } = counter();
		for (let g = 0; g < 10; g++) await cache.get(parts({ guildId: `g${g}` }), render);
		// Evicted guilds have nothing left to invalidate.
		expect(cache.invalidateGuild('g0')).toBe(0);
		expect(cache.invalidateGuild('g9')).toBe(1);
		clock.advance(10 * 60_000);
		// Expired entries leave the index when they are found stale.
		expect((await cache.get(parts({ guildId: 'g8' }), render)).cached).toBe(false);
		const index = (cache as unknown as { byGuild: Map<string, Set<string>> }).byGuild;
		expect([...index.values()].reduce((n, keys) => n + keys.size, 0)).toBeLessThanOrEqual(cache.size);
	});

	it('counts render times and fills the histogram', async () => {
		const clock = manualClock();
		const cache = new ImageCache({ now: clock.now, renderBucketsMs: [100, 1000] });
		const timed = (ms: number) => async () => {
			clock.advance(ms);
			return Buffer.from('x');
		};
		await cache.get(parts({ dataVersion: 1 }), timed(40));
		await cache.get(parts({ dataVersion: 2 }), timed(400));
		const third = await cache.get(parts({ dataVersion: 3 }), timed(4000));
		expect(third.renderMs).toBe(4000);
		expect((await cache.get(parts({ dataVersion: 3 }), timed(1))).renderMs).toBe(4000);
		const stats = cache.stats();
		expect(stats.renderMs).toEqual({ count: 3, sum: 4440, last: 4000, max: 4000, avg: 1480 });
		expect(stats.renderHistogram).toEqual({ boundsMs: [100, 1000], counts: [1, 1, 1] });
		expect(stats.hitRatio).toBeCloseTo(1 / 4);
	});

	it('clear() empties the cache and the counters keep their history', async () => {
		const cache = new ImageCache();
		const { render } = counter();
		await cache.get(parts(), render);
		cache.clear();
		expect(cache.size).toBe(0);
		expect((await cache.get(parts(), render)).cached).toBe(false);
		expect(cache.stats()).toMatchObject({ misses: 2, invalidations: 1 });
	});
});
