import type { Redis } from 'ioredis';
import type { AlertKey, AlertState } from '#lib/monitoring/AlertManager.js';
import type { CommandWindow } from '#lib/monitoring/CommandTracker.js';
import type { ErrorRateSnapshot } from '#lib/monitoring/ErrorRateMonitor.js';
import { mergeCommandWindows, mergeErrorSnapshots, parseCommandWindow, serializeCommandWindow, type FleetMerge, type MachineReading } from '#lib/monitoring/fleetWindows.js';
import type { Service } from '#lib/ServiceRegistry.js';
import type { FleetViewKeys } from './fleetViewKeys.js';
import { withTimeout } from './withTimeout.js';

export interface FleetWindowsOptions {
	/** The coordination connection. When it is not ready, publishing waits and merges use this process alone. */
	redis: Redis;
	keys: FleetViewKeys;
	shard: number;
	/** How often this process publishes its windows (FLEET_PUBLISH_INTERVAL_MS). */
	intervalMs: number;
	/** This process's error window now (ErrorRateMonitor.snapshot). */
	errors: () => ErrorRateSnapshot;
	/** Drains this process's command window (CommandTracker.takeWindow). */
	takeCommands: () => CommandWindow;
	/** This machine's latest system reading (Monitor.machineReading); undefined before the first sample. */
	machine: () => MachineReading | undefined;
	now?: () => number;
	/** Bound of one Redis round trip. Default 1000 ms. */
	timeoutMs?: number;
	/** Command windows waiting in Redis for the analyzer are capped (a fleet whose analyzer never runs). Default 1000. */
	maxQueuedWindows?: number;
}

interface Stamped<T> {
	ts: number;
	value: T;
}

/**
 * The monitoring half of the fleet view (`container.fleetWindows`): what the once-per-fleet jobs
 * (error rate, command analyzer, system alerts) need from every process, since a BullMQ repeatable
 * runs on ONE process per tick and could otherwise judge only that process's memory.
 * - errors: each process keeps its sliding window and publishes the snapshot (hash field = shard);
 *   the job sums the fresh ones with its own.
 * - commands: each process drains its command window on every tick and appends it to a Redis list;
 *   the job drains the list atomically and merges it with its own window, so every run is analysed
 *   exactly once whichever process runs the job. A window that cannot be pushed (Redis down) stays
 *   in memory and goes with the next push (bounded).
 * - machines: each process publishes its machine's latest system reading (field = shard); the job
 *   keeps the newest per machine.
 * A snapshot older than three intervals is ignored (a dead process's errors stop counting).
 */
export class FleetWindows implements Service, FleetMerge {
	public readonly name = 'fleet-windows';
	public readonly stats = { published: 0, failures: 0, merged: 0 };
	private readonly options: FleetWindowsOptions;
	private readonly now: () => number;
	private readonly timeoutMs: number;
	private readonly pending: CommandWindow[] = [];
	private timer: NodeJS.Timeout | undefined;
	private publishing: Promise<void> | undefined;

	public constructor(options: FleetWindowsOptions) {
		this.options = options;
		this.now = options.now ?? Date.now;
		this.timeoutMs = options.timeoutMs ?? 1000;
	}

	public start(): void {
		if (this.timer) return;
		this.timer = setInterval(() => void this.publish(), this.options.intervalMs);
		this.timer.unref();
	}

	/** A last publish, so the command window of a stopping process is analysed by whoever runs the job next. */
	public async stop(): Promise<void> {
		clearInterval(this.timer);
		this.timer = undefined;
		await this.publishing;
		await this.publish();
	}

	/** Publishes this process's windows once (the timer calls this). Never throws. */
	public publish(): Promise<void> {
		this.publishing ??= this.publishOnce().finally(() => (this.publishing = undefined));
		return this.publishing;
	}

	public async errors(own: ErrorRateSnapshot): Promise<ErrorRateSnapshot> {
		const others = await this.readFresh<ErrorRateSnapshot>(this.options.keys.errors);
		return mergeErrorSnapshots([own, ...others]);
	}

	public async commands(own: CommandWindow): Promise<CommandWindow> {
		const { redis, keys } = this.options;
		const windows = [own, ...this.pending.splice(0)];
		if (redis.status === 'ready') {
			try {
				const results = await this.bounded(redis.multi().lrange(keys.commandWindows, 0, -1).del(keys.commandWindows).exec());
				const raw = (results?.[0]?.[1] ?? []) as string[];
				for (const json of raw) {
					const window = parseCommandWindow(json);
					if (window) windows.push(window);
				}
				this.stats.merged += raw.length;
			} catch {
				// The queued windows stay in Redis for the next run.
			}
		}
		return mergeCommandWindows(windows);
	}

	public async machines(own: MachineReading): Promise<MachineReading[]> {
		const newest = new Map<string, MachineReading>([[own.machine, own]]);
		for (const reading of await this.readFresh<MachineReading>(this.options.keys.machines)) {
			const seen = newest.get(reading.machine);
			if (!seen || (reading.machine !== own.machine && seen.at < reading.at)) newest.set(reading.machine, reading);
		}
		return [...newest.values()];
	}

	public async loadAlerts(keys: readonly AlertKey[]): Promise<Partial<Record<AlertKey, AlertState | null>> | undefined> {
		const { redis } = this.options;
		if (redis.status !== 'ready') return undefined;
		try {
			const values = await this.bounded(redis.hmget(this.options.keys.alerts, ...keys));
			return Object.fromEntries(keys.map((key, index) => [key, values[index] ? (JSON.parse(values[index]) as AlertState) : null]));
		} catch {
			return undefined;
		}
	}

	public async saveAlerts(states: Partial<Record<AlertKey, AlertState | null>>): Promise<void> {
		const { redis, keys } = this.options;
		if (redis.status !== 'ready') return;
		const set = Object.entries(states).filter(([, state]) => state);
		const cleared = Object.entries(states).filter(([, state]) => !state).map(([key]) => key);
		const multi = redis.multi();
		if (set.length) multi.hset(keys.alerts, Object.fromEntries(set.map(([key, state]) => [key, JSON.stringify(state)])));
		if (cleared.length) multi.hdel(keys.alerts, ...cleared);
		await this.bounded(multi.exec()).catch(() => undefined);
	}

	private async publishOnce(): Promise<void> {
		const { redis, keys, shard } = this.options;
		const window = this.options.takeCommands();
		if (window.commands.length > 0 || window.recentErrors.length > 0) this.pending.push(window);
		// Bounded while Redis is away: older windows fold into one.
		if (this.pending.length > 10) this.pending.splice(0, this.pending.length, mergeCommandWindows(this.pending));
		if (redis.status !== 'ready') return;
		const ts = this.now();
		const machine = this.options.machine();
		const queued = this.pending.splice(0);
		const multi = redis.multi().hset(keys.errors, String(shard), JSON.stringify({ ts, value: this.options.errors() } satisfies Stamped<ErrorRateSnapshot>));
		if (machine) multi.hset(keys.machines, String(shard), JSON.stringify({ ts, value: machine } satisfies Stamped<MachineReading>));
		if (queued.length) {
			multi.rpush(keys.commandWindows, ...queued.map(serializeCommandWindow));
			multi.ltrim(keys.commandWindows, -(this.options.maxQueuedWindows ?? 1000), -1);
		}
		try {
			const results = await this.bounded(multi.exec());
			const failed = results?.find(([error]) => error);
			if (failed) throw failed[0];
			this.stats.published++;
		} catch {
			this.stats.failures++;
			// Not knowing whether the push landed, keep the windows: a run counted twice beats a run lost.
			this.pending.unshift(...queued);
		}
	}

	private async readFresh<T>(key: string): Promise<T[]> {
		const { redis, shard, intervalMs } = this.options;
		if (redis.status !== 'ready') return [];
		let raw: Record<string, string>;
		try {
			raw = await this.bounded(redis.hgetall(key));
		} catch {
			return [];
		}
		const freshAfter = this.now() - 3 * intervalMs;
		const values: T[] = [];
		for (const [field, json] of Object.entries(raw)) {
			if (field === String(shard)) continue;
			try {
				const stamped = JSON.parse(json) as Stamped<T>;
				if (typeof stamped.ts === 'number' && stamped.ts >= freshAfter && stamped.value) values.push(stamped.value);
			} catch {
				// A malformed field is ignored.
			}
		}
		return values;
	}

	private bounded<T>(promise: Promise<T>): Promise<T> {
		return withTimeout(promise, this.timeoutMs, `Redis did not answer within ${this.timeoutMs} ms`);
	}
}
