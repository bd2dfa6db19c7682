import type { Redis } from 'ioredis';
import type { Service } from '#lib/ServiceRegistry.js';
import type { FleetViewKeys } from './fleetViewKeys.js';
import { mergePrometheusText } from './mergePrometheusText.js';
import { parseShardSnapshot, type ShardSnapshot } from './ShardSnapshot.js';
import { summarizeFleet, type FleetSummary } from './summarizeFleet.js';
import { withTimeout } from './withTimeout.js';

/** The live figures a process reports about itself (the rest of ShardSnapshot is identity and time). */
export type ShardSample = Pick<ShardSnapshot, 'status' | 'pingMs' | 'guilds' | 'events' | 'commands' | 'rssBytes' | 'eventLoopP99Ms'>;

export interface FleetServiceOptions {
	/** The coordination connection (not BullMQ's). When it is not ready, publishing is skipped and reads show this process only. */
	redis: Redis;
	keys: FleetViewKeys;
	shard: number;
	shardCount: number;
	/** This process's machine (MACHINE_NAME or the host name): the fleet view groups shards by it. */
	machine?: string;
	/** How often this process publishes its snapshot and metrics text. */
	intervalMs: number;
	collect: () => ShardSample | Promise<ShardSample>;
	/** This process's Prometheus text (MetricsRegistry.metricsText). */
	metricsText: () => Promise<string>;
	now?: () => number;
	/** Bound of one Redis round trip. Default 1000 ms. */
	timeoutMs?: number;
	/** Snapshots older than this are deleted by readers (shards that no longer exist). Default 1 h. */
	pruneAfterMs?: number;
	/** Told once when publishing starts failing (Redis errors are otherwise counted, not logged per tick). */
	log?: { warn: (message: string) => void };
}

/**
 * `container.fleet`: every process publishes a compact snapshot of itself to the Redis hash
 * `nexus:<queue>:fleet` (field = shard id) and its Prometheus text to `nexus:<queue>:fleet:metrics:<shard>`
 * (with a TTL of three intervals, so a dead shard's series disappear), and any process can read the
 * whole fleet back: `snapshot()` for the health report and /api/metrics, `metricsText()` for /metrics.
 * Publishing runs on a local timer: each process must publish ITS figures (a shared BullMQ repeatable
 * would run on one process only).
 */
export class FleetService implements Service {
	public readonly name = 'fleet';
	/** The last summary read by snapshot() (for synchronous consumers such as the health report). */
	public latest: FleetSummary | undefined;
	public readonly stats = { published: 0, skipped: 0, failures: 0, lastError: null as string | null };

	private readonly options: FleetServiceOptions;
	private readonly now: () => number;
	private readonly timeoutMs: number;
	private readonly startedAt: number;
	private timer: NodeJS.Timeout | undefined;
	private publishing: Promise<boolean> | undefined;
	private failing = false;

	public constructor(options: FleetServiceOptions) {
		this.options = options;
		this.now = options.now ?? Date.now;
		this.timeoutMs = options.timeoutMs ?? 1000;
		this.startedAt = this.now();
	}

	public start(): void {
		if (this.timer) return;
		this.timer = setInterval(() => void this.publish(), this.options.intervalMs);
		this.timer.unref();
		void this.publish();
	}

	/** A last snapshot marked STOPPED, and the metrics key removed: a clean stop is not a dead shard. */
	public async stop(): Promise<void> {
		clearInterval(this.timer);
		this.timer = undefined;
		await this.publishing?.catch(() => undefined);
		const { redis, keys, shard } = this.options;
		if (redis.status !== 'ready') return;
		try {
			const snapshot = await this.ownSnapshot('STOPPED');
			await this.bounded(redis.multi().hset(keys.snapshots, String(shard), JSON.stringify(snapshot)).del(keys.metrics(shard)).exec());
		} catch {
			// Readers see the snapshot go stale instead.
		}
	}

	/** Publishes once now (the timer calls this); false when skipped or failed. Never throws. */
	public publish(): Promise<boolean> {
		this.publishing ??= this.publishOnce().finally(() => (this.publishing = undefined));
		return this.publishing;
	}

	/** The whole fleet: every shard's latest snapshot (this process's taken now), summarized. */
	public async snapshot(): Promise<FleetSummary> {
		const own = await this.ownSnapshot();
		const others = (await this.readSnapshots()).filter((snapshot) => snapshot.shard !== own.shard);
		this.latest = summarizeFleet([own, ...others], { now: this.now() });
		return this.latest;
	}

	/**
	 * Prometheus text of the whole fleet: this process's series (fresh) and every other shard's last
	 * published text, merged so each family appears once; series differ by their `shard` label.
	 */
	public async metricsText(): Promise<string> {
		const { redis, keys, shard } = this.options;
		const own = await this.options.metricsText();
		if (redis.status !== 'ready') return own;
		try {
			const shards = (await this.bounded(redis.hkeys(keys.snapshots))).map(Number).filter((id) => Number.isSafeInteger(id) && id !== shard);
			shards.sort((a, b) => a - b);
			const texts = shards.length ? await this.bounded(redis.mget(shards.map((id) => keys.metrics(id)))) : [];
			// Up gauges from the snapshots: a silent machine's own series expire, these say it is down.
			const summary = await this.snapshot();
			return mergePrometheusText([own, ...texts.filter((text): text is string => typeof text === 'string' && text.length > 0), fleetUpText(summary)]);
		} catch {
			return own;
		}
	}

	private async publishOnce(): Promise<boolean> {
		const { redis, keys, shard, intervalMs } = this.options;
		if (redis.status !== 'ready') {
			this.stats.skipped++;
			return false;
		}
		try {
			// Only other shards merge this text into their /metrics: a lone process skips rendering and
			// shipping it every interval (most of an idle bot's CPU).
			const peers = this.options.shardCount > 1;
			const [snapshot, text] = await Promise.all([this.ownSnapshot(), peers ? this.options.metricsText() : null]);
			const transaction = redis.multi().hset(keys.snapshots, String(shard), JSON.stringify(snapshot));
			if (text !== null) transaction.set(keys.metrics(shard), text, 'PX', intervalMs * 3);
			const results = await this.bounded(transaction.exec());
			const failed = results?.find(([error]) => error);
			if (failed) throw failed[0];
			this.stats.published++;
			this.failing = false;
			return true;
		} catch (error) {
			this.stats.failures++;
			this.stats.lastError = String((error as Error)?.message ?? error);
			if (!this.failing) this.options.log?.warn(`Fleet snapshot not published (${this.stats.lastError}); the health report and /metrics of other processes will show this shard as stale.`);
			this.failing = true;
			return false;
		}
	}

	private async ownSnapshot(status?: string): Promise<ShardSnapshot> {
		const sample = await this.options.collect();
		return {
			shard: this.options.shard,
			shardCount: this.options.shardCount,
			machine: this.options.machine ?? null,
			pid: process.pid,
			ts: this.now(),
			intervalMs: this.options.intervalMs,
			startedAt: this.startedAt,
			...sample,
			status: status ?? sample.status
		};
	}

	private async readSnapshots(): Promise<ShardSnapshot[]> {
		const { redis, keys } = this.options;
		if (redis.status !== 'ready') return [];
		let raw: Record<string, string>;
		try {
			raw = await this.bounded(redis.hgetall(keys.snapshots));
		} catch {
			return [];
		}
		const pruneBefore = this.now() - (this.options.pruneAfterMs ?? 3_600_000);
		const snapshots: ShardSnapshot[] = [];
		const prune: string[] = [];
		for (const [field, json] of Object.entries(raw)) {
			const snapshot = parseShardSnapshot(json);
			if (!snapshot || snapshot.ts < pruneBefore) prune.push(field);
			else snapshots.push(snapshot);
		}
		if (prune.length) redis.hdel(keys.snapshots, ...prune).catch(() => undefined);
		return snapshots;
	}

	private bounded<T>(promise: Promise<T>): Promise<T> {
		return withTimeout(promise, this.timeoutMs, `Redis did not answer within ${this.timeoutMs} ms`);
	}
}

/** `nexus_fleet_shard_up` and `nexus_fleet_machine_up` (1 publishing, 0 silent) for every known shard and machine. */
export function fleetUpText(summary: FleetSummary): string {
	const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
	const lines = [
		'# HELP nexus_fleet_shard_up 1 while the shard publishes its snapshot, 0 once it went silent (FLEET_PUBLISH_INTERVAL_MS x 3).',
		'# TYPE nexus_fleet_shard_up gauge',
		...summary.shards.map((shard) => `nexus_fleet_shard_up{shard_id="${shard.shard}",machine="${escape(shard.machine ?? 'unnamed')}"} ${shard.stale ? 0 : 1}`),
		'# HELP nexus_fleet_machine_up 1 while any shard of the machine publishes, 0 once all went silent.',
		'# TYPE nexus_fleet_machine_up gauge',
		...summary.machines.map((machine) => `nexus_fleet_machine_up{machine="${escape(machine.machine)}"} ${machine.up ? 1 : 0}`)
	];
	return `${lines.join('\n')}\n`;
}
