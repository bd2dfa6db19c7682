import type { Redis } from 'ioredis';
import type { Service } from '#lib/ServiceRegistry.js';
import { DAY_MS } from '#lib/stats/timeBuckets.js';
import type { OpsDayFigures } from './dailySummary.js';
import { utcDay } from './summaryDays.js';

export interface HealthReading {
	/** ISO time of the health report (a new timestamp = a new sample). */
	timestamp: string;
	score: number;
}

export interface DailyOpsLedgerOptions {
	redis: Redis;
	/** Key prefix, e.g. `nexus:<TASKS_QUEUE>:ops:`; the day is appended. */
	prefix: string;
	/** The latest health report of this process, if monitoring runs (`container.monitor?.latest.health`). */
	health?: () => HealthReading | undefined;
	/** Alerts active in this process now (`container.monitor?.activeAlerts()`). */
	alerts?: () => readonly { key: string; since: number }[];
	/** How often uptime minutes, health and alerts are recorded. Default 30 s (under a minute, so no minute is skipped). */
	tickMs?: number;
	/** Days the keys are kept. Default 10 (beyond the 7-day catch-up window). */
	keepDays?: number;
	now?: () => number;
	onError?: (error: unknown) => void;
}

/** count, sum and min of a day's health scores in one atomic step (processes write concurrently). */
const RECORD_HEALTH = `
redis.call('HINCRBY', KEYS[1], 'health_n', 1)
redis.call('HINCRBYFLOAT', KEYS[1], 'health_sum', ARGV[1])
local min = redis.call('HGET', KEYS[1], 'health_min')
if (not min) or tonumber(min) > tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'health_min', ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * Fleet-wide operational facts per UTC day, for the daily summary: which minutes some process was
 * up (a Redis bitmap, 1,440 bits a day), how many processes started (restarts), the health scores
 * seen (count/sum/min) and the alerts raised. Each process writes its own observations on a local
 * timer (cheap: one SETBIT and, when something changed, one or two more calls); Redis merges them.
 * Health and alerts are polled from the monitor, so monitoring needs no knowledge of this ledger.
 */
export class DailyOpsLedger implements Service {
	public readonly name = 'ops-ledger';
	private readonly redis: Redis;
	private readonly prefix: string;
	private readonly now: () => number;
	private readonly tickMs: number;
	private readonly keepSeconds: number;
	private timer: NodeJS.Timeout | undefined;
	private lastHealth: string | undefined;
	private readonly seenAlerts = new Set<string>();
	private inFlight: Promise<void> | undefined;

	public constructor(private readonly options: DailyOpsLedgerOptions) {
		this.redis = options.redis;
		this.prefix = options.prefix;
		this.now = options.now ?? Date.now;
		this.tickMs = options.tickMs ?? 30_000;
		this.keepSeconds = Math.round(((options.keepDays ?? 10) * DAY_MS) / 1000);
	}

	public start(): void {
		if (this.timer) return;
		const key = this.hashKey(utcDay(this.now()));
		void this.redis
			.multi()
			.hincrby(key, 'starts', 1)
			.expire(key, this.keepSeconds)
			.exec()
			.catch((error: unknown) => this.options.onError?.(error));
		void this.tick();
		this.timer = setInterval(() => void this.tick(), this.tickMs);
		this.timer.unref();
	}

	public stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}

	/**
	 * Records this minute as up, and any new health report or alert. Never throws. A call while a tick
	 * is in flight joins it instead of returning at once, so a caller that awaits has the minute recorded.
	 */
	public tick(): Promise<void> {
		this.inFlight ??= this.record().finally(() => (this.inFlight = undefined));
		return this.inFlight;
	}

	private async record(): Promise<void> {
		try {
			const now = this.now();
			const day = utcDay(now);
			const minute = Math.floor((now % DAY_MS) / 60_000);
			const upKey = this.upKey(day);
			await this.redis.multi().setbit(upKey, minute, 1).expire(upKey, this.keepSeconds).exec();
			const health = this.options.health?.();
			if (health && health.timestamp !== this.lastHealth && Number.isFinite(health.score)) {
				this.lastHealth = health.timestamp;
				await this.redis.eval(RECORD_HEALTH, 1, this.hashKey(utcDay(Date.parse(health.timestamp) || now)), String(health.score), String(this.keepSeconds));
			}
			const alerts = this.options.alerts?.() ?? [];
			const active = new Set(alerts.map((alert) => `${alert.key}@${alert.since}`));
			let raised = 0;
			for (const id of active) if (!this.seenAlerts.has(id)) raised++;
			// Forget alerts that ended, so the set stays as small as the active list.
			for (const id of this.seenAlerts) if (!active.has(id)) this.seenAlerts.delete(id);
			for (const id of active) this.seenAlerts.add(id);
			if (raised > 0) {
				const key = this.hashKey(day);
				await this.redis.multi().hincrby(key, 'alerts', raised).expire(key, this.keepSeconds).exec();
			}
		} catch (error) {
			this.options.onError?.(error);
		}
	}

	public async read(day: string): Promise<OpsDayFigures> {
		const [fields, upMinutes] = await Promise.all([this.redis.hgetall(this.hashKey(day)), this.redis.bitcount(this.upKey(day))]);
		const samples = Number(fields.health_n ?? 0);
		return {
			upMinutes,
			starts: Number(fields.starts ?? 0),
			alertsRaised: Number(fields.alerts ?? 0),
			health: samples > 0 ? { samples, min: Number(fields.health_min), avg: Number(fields.health_sum) / samples } : undefined
		};
	}

	private hashKey(day: string): string {
		return `${this.prefix}${day}`;
	}

	private upKey(day: string): string {
		return `${this.prefix}${day}:up`;
	}
}
