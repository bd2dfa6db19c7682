import type { ChildProcess } from 'node:child_process';
import { ShardingManager, type Shard } from 'discord.js';

export interface ShardSupervisorOptions {
	/** The bot entry point each shard process runs (dist/index.js). */
	file: string;
	token: string;
	totalShards: number;
	/** The shards this machine runs (default: all of 0..totalShards-1). */
	shardIds?: readonly number[];
	/** Shards that may IDENTIFY at once (GET /gateway/bot session_start_limit.max_concurrency). */
	maxConcurrency: number;
	execArgv?: string[];
	/** Pause between identify batches; Discord allows one batch per 5 s. Default 5500 ms. */
	identifyIntervalMs?: number;
	/** How long a spawn waits for the shard's READY before the next batch may go. Default 60 s. */
	readyTimeoutMs?: number;
	/** Respawn delay: doubles per quick death from min to max; a shard up for `stableAfterMs` starts over. */
	respawn?: { minDelayMs?: number; maxDelayMs?: number; stableAfterMs?: number };
	/** How long stop() waits for the shards' own graceful exits (their flushes) before SIGKILL. */
	stopTimeoutMs: number;
	/** 'shutdown' is sent again this often while a shard has not exited (it may still have been booting). Default 1000 ms. */
	resendMs?: number;
	log: { info: (message: string) => void; warn: (message: string) => void; error: (message: string) => void };
	now?: () => number;
}

interface ShardState {
	shard: Shard;
	child: ChildProcess | null;
	spawnedAt: number;
	quickDeaths: number;
	respawnTimer?: NodeJS.Timeout;
	exited?: Promise<void>;
}

export interface StopResult {
	/** Shards that exited by themselves within the deadline. */
	exited: number;
	/** Shards SIGKILLed at the deadline. */
	killed: number;
}

/**
 * Runs the fleet on discord.js's ShardingManager (one process per shard, env SHARDS/SHARD_COUNT set
 * by discord.js, IPC for broadcastEval), adding what a production launcher needs around it:
 * - identify batches of `maxConcurrency` shards, `identifyIntervalMs` apart (the manager's own spawn
 *   only knows one fixed delay per shard);
 * - respawn of a shard whose process died, with pm2-like exponential backoff (discord.js's own
 *   respawn is immediate, and a crash loop would hammer IDENTIFY);
 * - graceful stop: every shard gets the IPC message 'shutdown' (installShardShutdown) and the
 *   supervisor waits for their exits (each flushes its statistics and reports), SIGKILL only at the deadline.
 */
export class ShardSupervisor {
	public readonly manager: ShardingManager;
	private readonly options: ShardSupervisorOptions;
	private readonly now: () => number;
	private readonly states = new Map<number, ShardState>();
	private stopping = false;

	public constructor(options: ShardSupervisorOptions) {
		this.options = options;
		this.now = options.now ?? Date.now;
		// respawn: false — deaths are handled here, with backoff, and never during a stop.
		this.manager = new ShardingManager(options.file, { totalShards: options.totalShards, token: options.token, respawn: false, mode: 'process', execArgv: options.execArgv ?? [] });
		this.manager.shardList = [...(options.shardIds ?? Array(options.totalShards).keys())];
	}

	/** Current pid per shard id (null while a shard is down or waiting to respawn). */
	public pids(): Map<number, number | null> {
		return new Map([...this.states].map(([id, state]) => [id, state.child?.pid ?? null]));
	}

	/** Spawns every shard, batch by batch; resolves once all were started (READY or timed out). */
	public async start(): Promise<void> {
		const { maxConcurrency } = this.options;
		const ids = this.manager.shardList as number[];
		const batch = Math.max(1, maxConcurrency);
		const interval = this.options.identifyIntervalMs ?? 5500;
		this.options.log.info(`Spawning ${ids.length} shard(s), ${batch} at a time (${Math.ceil(ids.length / batch)} identify batch(es), ${interval} ms apart).`);
		for (let first = 0; first < ids.length && !this.stopping; first += batch) {
			const spawns = ids.slice(first, first + batch).map((id) => this.spawn(this.create(id)));
			const last = first + batch >= ids.length;
			await Promise.all([Promise.allSettled(spawns), last ? undefined : sleep(interval)]);
		}
	}

	/**
	 * Asks every shard to stop ('shutdown' over IPC), waits for their exits up to stopTimeoutMs, then
	 * SIGKILLs what is left. No respawns from here on.
	 */
	public async stop(): Promise<StopResult> {
		this.stopping = true;
		for (const state of this.states.values()) clearTimeout(state.respawnTimer);
		const alive = [...this.states.values()].filter((state) => state.child && state.exited);
		this.options.log.info(`Stopping ${alive.length} shard(s); waiting up to ${this.options.stopTimeoutMs} ms for their graceful exits.`);
		const ask = () => {
			for (const state of alive) if (state.child?.connected) state.child.send('shutdown', (error) => error && state.child?.kill('SIGTERM'));
		};
		ask();
		const resend = setInterval(ask, this.options.resendMs ?? 1000);
		let exited = 0;
		const all = Promise.all(alive.map((state) => state.exited!.then(() => void exited++)));
		const deadline = sleep(this.options.stopTimeoutMs);
		await Promise.race([all, deadline]);
		clearInterval(resend);
		let killed = 0;
		for (const state of alive) {
			if (!state.child) continue;
			killed++;
			this.options.log.warn(`Shard ${state.shard.id} (pid ${state.child.pid}) did not exit within ${this.options.stopTimeoutMs} ms: SIGKILL.`);
			state.child.kill('SIGKILL');
		}
		if (killed) await Promise.race([all, sleep(2000)]);
		return { exited: alive.length - killed, killed };
	}

	/** Second signal: no more waiting. */
	public killAll(): void {
		this.stopping = true;
		for (const state of this.states.values()) {
			clearTimeout(state.respawnTimer);
			state.child?.kill('SIGKILL');
		}
	}

	private create(id: number): ShardState {
		const shard = this.manager.createShard(id);
		const state: ShardState = { shard, child: null, spawnedAt: 0, quickDeaths: 0 };
		this.states.set(id, state);
		// mode 'process': the shard's child is always a ChildProcess.
		shard.on('spawn', (spawned) => {
			const child = spawned as ChildProcess;
			state.child = child;
			state.spawnedAt = this.now();
			state.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			this.options.log.info(`Shard ${id} spawned (pid ${child.pid}).`);
		});
		shard.on('ready', () => this.options.log.info(`Shard ${id} ready (pid ${state.child?.pid}).`));
		shard.on('death', (child) => this.onDeath(state, child as ChildProcess));
		// Emitted by discord.js only on its own respawn path (disabled); a listener keeps it from throwing.
		shard.on('error', (error: Error) => this.options.log.error(`Shard ${id}: ${error.message}`));
		return state;
	}

	private async spawn(state: ShardState): Promise<void> {
		try {
			await state.shard.spawn(this.options.readyTimeoutMs ?? 60_000);
		} catch (error) {
			// A slow or dying shard: its process (if any) keeps running, death is handled by onDeath.
			if (!this.stopping) this.options.log.warn(`Shard ${state.shard.id} not ready: ${(error as Error)?.message ?? error}`);
		}
	}

	private onDeath(state: ShardState, child: ChildProcess): void {
		const id = state.shard.id;
		state.child = null;
		const how = child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
		if (this.stopping) {
			this.options.log.info(`Shard ${id} (pid ${child.pid}) exited (${how}).`);
			return;
		}
		const { minDelayMs = 500, maxDelayMs = 30_000, stableAfterMs = 60_000 } = this.options.respawn ?? {};
		if (this.now() - state.spawnedAt >= stableAfterMs) state.quickDeaths = 0;
		const delay = Math.min(maxDelayMs, minDelayMs * 2 ** state.quickDeaths);
		state.quickDeaths++;
		this.options.log.warn(`Shard ${id} (pid ${child.pid}) exited (${how}); respawning in ${delay} ms.`);
		state.respawnTimer = setTimeout(() => {
			state.respawnTimer = undefined;
			if (!this.stopping) void this.spawn(state);
		}, delay);
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
