import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SlidingWindowRateLimiter, type SendRateLimiter, type SlidingWindowOptions } from './SendRateLimiter.js';

/**
 * The same sliding window as SlidingWindowRateLimiter, kept in one Redis sorted set per key
 * (member = one reservation, score = its time). Runs atomically in Lua and uses Redis's clock, so
 * every process of the fleet sees one window and one time, whichever host it runs on.
 * A reservation is stored IN FLIGHT (score now + hold) until complete() stamps when its send finished:
 * a send can wait in discord.js's queue after it was reserved, and Discord counts it when it arrives,
 * so it must keep its slot until then. Waits treat an in-flight send as happening now.
 * ARGV: limit, window ms, reserved-for-urgent, burst, spacing ms, urgent (0/1), member, hold ms.
 * Returns {wait ms (0 = reserved), redis now}.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = limit
if ARGV[6] ~= '1' then allowed = limit - tonumber(ARGV[3]) end
local wait = 0
if count >= allowed then
	local entry = redis.call('ZRANGE', KEYS[1], count - allowed, count - allowed, 'WITHSCORES')
	wait = math.min(tonumber(entry[2]), now) + window - now
end
if count >= tonumber(ARGV[4]) then
	local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
	local spaced = math.min(tonumber(newest[2]), now) + tonumber(ARGV[5]) - now
	if spaced > wait then wait = spaced end
end
if wait <= 0 then
	local hold = tonumber(ARGV[8])
	redis.call('ZADD', KEYS[1], now + hold, ARGV[7])
	redis.call('PEXPIRE', KEYS[1], window * 2 + hold)
	return {0, now}
end
if wait < 1 then wait = 1 end
return {wait, now}`;

/** Stamps a reservation with Redis's now: its send has finished, so Discord saw it at or before this. ARGV: member, window ms. */
const COMPLETE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
	redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
	redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
end
return 0`;

interface LimiterRedis extends Redis {
	nexusSendAcquire(key: string, ...args: (string | number)[]): Promise<[number, number]>;
	nexusSendComplete(key: string, member: string, windowMs: number): Promise<number>;
}

export interface RedisSendRateLimiterOptions extends SlidingWindowOptions {
	/**
	 * The coordination connection, read on every call (it may be created after the reporter).
	 * Undefined or not ready = local fallback.
	 */
	redis: () => Redis | undefined;
	/** Key prefix, e.g. `nexus:<TASKS_QUEUE>:sendrate:`; the channel id is appended. */
	prefix: string;
	/**
	 * Processes sharing the budget. While Redis is unreachable each process falls back to a local
	 * window of `limit / fleetSize` (at least 1), so the fleet together still stays under the limit.
	 */
	fleetSize: number;
	/** A Redis call slower than this counts as failed; the send waits and asks again. Default 250 ms. */
	timeoutMs?: number;
	/**
	 * Redis failing (errors or slow answers) for this long while still connected is an outage: the
	 * process paces on its local share from then on. Shorter failures (a loaded host) only delay the
	 * send, since a local share used beside the fleet's shared window would overrun it. Default 3000 ms.
	 */
	fallbackAfterMs?: number;
	/**
	 * How long a reservation holds its slot while its send is in flight, at most: a process that dies
	 * mid-send frees it after this (plus the window). Default 30 s, above the sender's 15 s timeout.
	 */
	inFlightHoldMs?: number;
	/** Told once per switch between shared and local limiting (not while Redis was never reached: start-up). */
	onModeChange?: (mode: 'redis' | 'local', reason?: string) => void;
}

interface Reservation {
	backend: 'redis' | 'local';
	member: string;
}

/**
 * SendRateLimiter shared by every process of the fleet through Redis: the four report channels
 * have ONE budget of `limit` sends per window across all shards (Discord's per-channel limit is per
 * bot, not per connection). Falls back to a per-process share of the budget when Redis is down
 * or slow, and goes back to the shared window as soon as it answers again.
 */
export class RedisSendRateLimiter implements SendRateLimiter {
	private readonly redis: () => Redis | undefined;
	private readonly prefix: string;
	private readonly args: { limit: number; windowMs: number; reserved: number; burst: number; spacingMs: number; holdMs: number };
	private readonly timeoutMs: number;
	private readonly fallbackAfterMs: number;
	/** When the current run of failed Redis calls began (undefined while Redis answers). */
	private failingSince: number | undefined;
	private readonly local: SlidingWindowRateLimiter;
	private readonly onModeChange: RedisSendRateLimiterOptions['onModeChange'];
	/** This process's reservations per key, newest last (complete/cancel act on the newest, as the interface says). */
	private readonly outstanding = new Map<string, Reservation[]>();
	private readonly token = randomBytes(6).toString('hex');
	private sequence = 0;
	private mode: 'redis' | 'local' = 'redis';
	/** Redis answered at least once: a switch to local from then on is an outage worth telling. */
	private connected = false;
	private told = false;
	private readonly defined = new WeakSet<Redis>();
	public readonly counters = { shared: 0, local: 0, redisErrors: 0 };

	public constructor(options: RedisSendRateLimiterOptions) {
		this.redis = options.redis;
		this.prefix = options.prefix;
		const limit = Math.max(1, options.limit ?? 5);
		const windowMs = (options.windowMs ?? 5000) + (options.marginMs ?? 250);
		this.args = {
			limit,
			windowMs,
			reserved: Math.min(Math.max(0, options.reservedForUrgent ?? 1), limit - 1),
			burst: Math.max(1, options.burst ?? 2),
			spacingMs: Math.ceil(windowMs / limit),
			holdMs: options.inFlightHoldMs ?? 30_000
		};
		this.timeoutMs = options.timeoutMs ?? 250;
		this.fallbackAfterMs = options.fallbackAfterMs ?? 3000;
		this.onModeChange = options.onModeChange;
		const share = Math.max(1, Math.floor(limit / Math.max(1, options.fleetSize)));
		this.local = new SlidingWindowRateLimiter({
			limit: share,
			windowMs: options.windowMs ?? 5000,
			marginMs: options.marginMs ?? 250,
			reservedForUrgent: share > 1 ? options.reservedForUrgent : 0,
			burst: Math.min(share, options.burst ?? 2)
		});
	}

	public async tryAcquire(key: string, now: number, urgent: boolean): Promise<number> {
		const redis = this.ready();
		if (redis) {
			const member = `${this.token}:${++this.sequence}`;
			try {
				const { limit, windowMs, reserved, burst, spacingMs, holdMs } = this.args;
				const [wait] = await this.bounded(redis.nexusSendAcquire(this.prefix + key, limit, windowMs, reserved, burst, spacingMs, urgent ? 1 : 0, member, holdMs), this.timeoutMs);
				this.failingSince = undefined;
				this.setMode('redis');
				if (wait > 0) return wait;
				this.counters.shared++;
				this.push(key, { backend: 'redis', member });
				return 0;
			} catch (error) {
				this.counters.redisErrors++;
				// A timed-out reservation may still land in Redis and would hold its slot: take it back (one
				// connection runs commands in order, so this runs after it).
				void redis.zrem(this.prefix + key, member).catch(() => undefined);
				this.failingSince ??= now;
				if (this.mode === 'redis' && now - this.failingSince < this.fallbackAfterMs) return this.timeoutMs;
				this.setMode('local', String((error as Error)?.message ?? error));
			}
		} else this.setMode('local', 'not connected');
		const wait = this.local.tryAcquire(key, now, urgent);
		if (wait === 0) {
			this.counters.local++;
			this.push(key, { backend: 'local', member: '' });
		}
		return wait;
	}

	public async complete(key: string, now: number): Promise<void> {
		const reservation = this.pop(key);
		if (!reservation) return;
		if (reservation.backend === 'local') return this.local.complete(key, now);
		const redis = this.ready();
		if (!redis) return;
		// Where the window's timing is decided: worth waiting longer for than an acquire.
		await this.bounded(redis.nexusSendComplete(this.prefix + key, reservation.member, this.args.windowMs), this.timeoutMs * 8).catch(() => undefined);
	}

	public async cancel(key: string): Promise<void> {
		const reservation = this.pop(key);
		if (!reservation) return;
		if (reservation.backend === 'local') return this.local.cancel(key);
		const redis = this.ready();
		if (!redis) return;
		await this.bounded(redis.zrem(this.prefix + key, reservation.member), this.timeoutMs).catch(() => undefined);
	}

	/** The connection with our scripts defined, or undefined when it is not usable right now. */
	private ready(): LimiterRedis | undefined {
		const redis = this.redis();
		if (!redis || redis.status !== 'ready') return undefined;
		if (!this.defined.has(redis)) {
			// defineCommand: EVALSHA with a transparent EVAL fallback when the script cache was flushed.
			if (!('nexusSendAcquire' in redis)) redis.defineCommand('nexusSendAcquire', { numberOfKeys: 1, lua: ACQUIRE });
			if (!('nexusSendComplete' in redis)) redis.defineCommand('nexusSendComplete', { numberOfKeys: 1, lua: COMPLETE });
			this.defined.add(redis);
		}
		return redis as LimiterRedis;
	}

	private bounded<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
			promise.then(
				(value) => (clearTimeout(timer), resolve(value)),
				(error: unknown) => (clearTimeout(timer), reject(error))
			);
		});
	}

	private push(key: string, reservation: Reservation): void {
		let list = this.outstanding.get(key);
		if (!list) this.outstanding.set(key, (list = []));
		list.push(reservation);
		// Callers that never complete or cancel must not grow this without bound.
		if (list.length > 64) list.shift();
	}

	private pop(key: string): Reservation | undefined {
		return this.outstanding.get(key)?.pop();
	}

	private setMode(mode: 'redis' | 'local', reason?: string): void {
		if (mode === 'redis') this.connected = true;
		if (this.mode === mode) return;
		this.mode = mode;
		// Before the first connection the coordination service already says Redis is unreachable.
		if (mode === 'local' && !this.connected) return;
		if (mode === 'redis' && !this.told) return;
		this.told = mode === 'local';
		this.onModeChange?.(mode, reason);
	}
}
