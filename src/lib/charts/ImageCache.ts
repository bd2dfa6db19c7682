import { LRUCache } from 'lru-cache';
import { imageCacheKey, type ImageKeyParts } from './imageCacheKey.js';

export interface ImageCacheOptions {
	/** Most images kept; the least recently used goes first. Default 100. */
	max?: number;
	/** How long an image stays valid after it was rendered. Default 5 minutes. */
	ttlMs?: number;
	/** Monotonic clock in ms for TTL and render timing; default performance.now (faked by vitest fake timers). */
	now?: () => number;
	/** Upper bounds (ms) of the render-time histogram buckets; an overflow bucket is added. */
	renderBucketsMs?: readonly number[];
}

export interface CachedImage {
	png: Buffer;
	/** Served from the cache, no render. */
	cached: boolean;
	/** Joined a render that another request had already started. */
	deduped: boolean;
	/** Render time of the image (when this call rendered it or joined that render). */
	renderMs?: number;
	key: string;
}

export interface ImageCacheStats {
	size: number;
	max: number;
	ttlMs: number;
	inFlight: number;
	hits: number;
	misses: number;
	/** Entries pushed out by the max (least recently used). */
	evictions: number;
	/** Entries found past their TTL. */
	expirations: number;
	/** Entries dropped by invalidateGuild / clear. */
	invalidations: number;
	renders: number;
	renderErrors: number;
	/** Requests that joined an identical render in flight instead of starting their own. */
	dedupes: number;
	hitRatio: number;
	renderMs: { count: number; sum: number; last: number; max: number; avg: number };
	/** counts[i] = renders with bounds[i-1] < ms <= bounds[i]; the last count is above the last bound. */
	renderHistogram: { boundsMs: number[]; counts: number[] };
}

interface Entry {
	png: Buffer;
	guildId: string;
	renderMs: number;
}

interface RenderTicket {
	guildId: string;
	/** Cleared by invalidateGuild/clear while the render runs: its image must not be stored. */
	store: boolean;
}

interface Pending extends RenderTicket {
	promise: Promise<{ png: Buffer; renderMs: number }>;
}

const DEFAULT_BUCKETS = [50, 100, 250, 500, 1000, 2500, 5000];

/**
 * Rendered report images, keyed by everything that decides their content (see imageCacheKey).
 * A new data version makes a new key, so an image is never older than the data it shows; the
 * TTL bounds how long an unchanged guild reuses an image, `max` bounds memory (LRU).
 * Identical requests in flight share one render (single-flight).
 */
export class ImageCache {
	public readonly name = 'imageCache';
	private readonly cache: LRUCache<string, Entry>;
	private readonly pending = new Map<string, Pending>();
	/** guild -> keys it has in the cache; maintained by set/dispose so it never outgrows the cache. */
	private readonly byGuild = new Map<string, Set<string>>();
	private readonly now: () => number;
	private readonly maxEntries: number;
	private readonly ttlMs: number;
	private readonly bounds: number[];
	private readonly counters = {
		hits: 0,
		misses: 0,
		evictions: 0,
		expirations: 0,
		invalidations: 0,
		renders: 0,
		renderErrors: 0,
		dedupes: 0,
		renderCount: 0,
		renderSum: 0,
		renderLast: 0,
		renderMax: 0
	};
	private readonly histogram: number[];

	public constructor(options: ImageCacheOptions = {}) {
		this.maxEntries = options.max ?? 100;
		this.ttlMs = options.ttlMs ?? 5 * 60_000;
		// The global, looked up on each call, so vitest fake timers (which swap it) drive the TTL.
		this.now = options.now ?? (() => globalThis.performance.now());
		this.bounds = [...(options.renderBucketsMs ?? DEFAULT_BUCKETS)].sort((a, b) => a - b);
		this.histogram = new Array<number>(this.bounds.length + 1).fill(0);
		const clock = this.now;
		this.cache = new LRUCache<string, Entry>({
			max: this.maxEntries,
			ttl: this.ttlMs,
			// Read the clock on every check: the default 1 ms memo uses a setTimeout per lookup.
			ttlResolution: 0,
			// +1: lru-cache reads a start time of 0 as "no TTL", and fake clocks start at 0.
			perf: { now: () => clock() + 1 },
			updateAgeOnGet: false,
			dispose: (entry, key, reason) => {
				if (reason === 'evict') this.counters.evictions++;
				else if (reason === 'expire') this.counters.expirations++;
				else if (reason === 'delete') this.counters.invalidations++;
				// 'set' replaces the value under the same key: the key stays indexed.
				if (reason !== 'set') this.unindex(entry.guildId, key);
			}
		});
	}

	/**
	 * The image for `parts`: from the cache, from an identical render in flight, or rendered now
	 * by `render` (called at most once per key while it runs). A failed render is not cached.
	 */
	public async get(parts: ImageKeyParts, render: () => Promise<Buffer>): Promise<CachedImage> {
		const key = imageCacheKey(parts);
		const hit = this.cache.get(key);
		if (hit) {
			this.counters.hits++;
			return { png: hit.png, cached: true, deduped: false, renderMs: hit.renderMs, key };
		}

		const inFlight = this.pending.get(key);
		if (inFlight) {
			this.counters.dedupes++;
			const { png, renderMs } = await inFlight.promise;
			return { png, cached: false, deduped: true, renderMs, key };
		}

		this.counters.misses++;
		const ticket: RenderTicket = { guildId: parts.guildId, store: true };
		const pending: Pending = Object.assign(ticket, { promise: this.renderAndStore(key, ticket, render) });
		this.pending.set(key, pending);
		try {
			const { png, renderMs } = await pending.promise;
			return { png, cached: false, deduped: false, renderMs, key };
		} finally {
			this.pending.delete(key);
		}
	}

	/** Drops every cached image of a guild now (e.g. after its data was deleted); returns how many. */
	public invalidateGuild(guildId: string): number {
		for (const pending of this.pending.values()) if (pending.guildId === guildId) pending.store = false;
		const keys = [...(this.byGuild.get(guildId) ?? [])];
		for (const key of keys) this.cache.delete(key);
		this.byGuild.delete(guildId);
		return keys.length;
	}

	public clear(): void {
		for (const pending of this.pending.values()) pending.store = false;
		this.cache.clear();
		this.byGuild.clear();
	}

	public get size(): number {
		return this.cache.size;
	}

	public stats(): ImageCacheStats {
		const c = this.counters;
		const lookups = c.hits + c.misses + c.dedupes;
		return {
			size: this.cache.size,
			max: this.maxEntries,
			ttlMs: this.ttlMs,
			inFlight: this.pending.size,
			hits: c.hits,
			misses: c.misses,
			evictions: c.evictions,
			expirations: c.expirations,
			invalidations: c.invalidations,
			renders: c.renders,
			renderErrors: c.renderErrors,
			dedupes: c.dedupes,
			hitRatio: lookups === 0 ? 0 : c.hits / lookups,
			renderMs: { count: c.renderCount, sum: c.renderSum, last: c.renderLast, max: c.renderMax, avg: c.renderCount ? c.renderSum / c.renderCount : 0 },
			renderHistogram: { boundsMs: [...this.bounds], counts: [...this.histogram] }
		};
	}

	private async renderAndStore(key: string, ticket: RenderTicket, render: () => Promise<Buffer>): Promise<{ png: Buffer; renderMs: number }> {
		const start = this.now();
		this.counters.renders++;
		let png: Buffer;
		try {
			png = await render();
		} catch (error) {
			this.counters.renderErrors++;
			throw error;
		}
		const renderMs = this.now() - start;
		this.observe(renderMs);
		if (ticket.store) {
			this.cache.set(key, { png, guildId: ticket.guildId, renderMs });
			this.index(ticket.guildId, key);
		}
		return { png, renderMs };
	}

	private observe(ms: number): void {
		const c = this.counters;
		c.renderCount++;
		c.renderSum += ms;
		c.renderLast = ms;
		if (ms > c.renderMax) c.renderMax = ms;
		const bucket = this.bounds.findIndex((bound) => ms <= bound);
		this.histogram[bucket < 0 ? this.bounds.length : bucket]++;
	}

	private index(guildId: string, key: string): void {
		let keys = this.byGuild.get(guildId);
		if (!keys) this.byGuild.set(guildId, (keys = new Set()));
		keys.add(key);
	}

	private unindex(guildId: string, key: string): void {
		const keys = this.byGuild.get(guildId);
		if (!keys) return;
		keys.delete(key);
		if (keys.size === 0) this.byGuild.delete(guildId);
	}
}
