import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ShardSupervisor } from '#lib/fleet/ShardSupervisor.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/fakeShard.mjs', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const savedEnv = { ...process.env };
const running: ShardSupervisor[] = [];

afterEach(async () => {
	for (const supervisor of running.splice(0)) supervisor.killAll();
	process.env = { ...savedEnv };
});

function supervise(options: { totalShards: number; maxConcurrency: number; stopTimeoutMs?: number; mode?: string }) {
	process.env.FAKE_SHARD_MODE = options.mode ?? 'normal';
	const lines: string[] = [];
	const spawned: { shard: number; at: number; env: Record<string, unknown> }[] = [];
	/** When the supervisor created each shard, i.e. began its spawn (a child's own report adds its start-up time, which a loaded machine stretches). */
	const created = new Map<number, number>();
	const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
	const supervisor = new ShardSupervisor({
		file: FIXTURE,
		token: 'fake-token',
		totalShards: options.totalShards,
		maxConcurrency: options.maxConcurrency,
		identifyIntervalMs: 400,
		readyTimeoutMs: 5000,
		respawn: { minDelayMs: 100, maxDelayMs: 1000, stableAfterMs: 60_000 },
		stopTimeoutMs: options.stopTimeoutMs ?? 3000,
		log
	});
	supervisor.manager.on('shardCreate', (shard) => {
		created.set(shard.id, performance.now());
		shard.on('message', (message: { fake?: string; at: number }) => {
			if (message?.fake === 'spawned') spawned.push({ shard: shard.id, at: message.at, env: message });
		});
	});
	running.push(supervisor);
	return { supervisor, lines, spawned, created };
}

async function until(check: () => boolean, timeoutMs = 5000) {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error('condition not met in time');
		await sleep(20);
	}
}

describe('ShardSupervisor (real ShardingManager, fake shard processes)', () => {
	it('spawns shards in identify batches of max_concurrency, each with SHARDS/SHARD_COUNT from discord.js', async () => {
		const { supervisor, spawned, created } = supervise({ totalShards: 5, maxConcurrency: 2 });
		await supervisor.start();
		expect(spawned.map((entry) => entry.shard).sort()).toEqual([0, 1, 2, 3, 4]);
		const at = (shard: number) => created.get(shard)!;
		// Batch [0,1] together, [2,3] one identify interval (400 ms) later, [4] one more.
		expect(Math.abs(at(0) - at(1))).toBeLessThan(100);
		expect(Math.abs(at(2) - at(3))).toBeLessThan(100);
		expect(at(2) - Math.max(at(0), at(1))).toBeGreaterThanOrEqual(395);
		expect(at(4) - Math.max(at(2), at(3))).toBeGreaterThanOrEqual(395);
		expect(spawned.find((entry) => entry.shard === 3)!.env).toMatchObject({ shards: '3', shardCount: '5', manager: 'true' });
		expect([...supervisor.pids().values()].every((pid) => typeof pid === 'number')).toBe(true);
		expect(await supervisor.stop()).toEqual({ exited: 5, killed: 0 });
	});

	it('respawns a SIGKILLed shard (new pid, same shard id) with backoff, and stops gracefully afterwards', async () => {
		const { supervisor, lines, spawned } = supervise({ totalShards: 2, maxConcurrency: 2 });
		await supervisor.start();
		const before = supervisor.pids().get(1)!;
		process.kill(before, 'SIGKILL');
		// The new process of shard 1 reports itself with the same SHARDS value.
		await until(() => spawned.filter((entry) => entry.shard === 1).length === 2);
		expect(supervisor.pids().get(1)).not.toBe(before);
		expect(spawned.filter((entry) => entry.shard === 1).map((entry) => entry.env.shards)).toEqual(['1', '1']);
		expect(lines.some((line) => line.includes(`Shard 1 (pid ${before}) exited (signal SIGKILL); respawning in 100 ms.`))).toBe(true);
		// A second quick death waits twice as long.
		process.kill(supervisor.pids().get(1)!, 'SIGKILL');
		await until(() => lines.some((line) => /Shard 1 \(pid \d+\) exited \(signal SIGKILL\); respawning in 200 ms\./.test(line)));

		await until(() => typeof supervisor.pids().get(1) === 'number');
		const children = [...supervisor.manager.shards.values()].map((shard) => shard.process as ChildProcess);
		const codes = children.map((child) => new Promise((resolve) => child.once('exit', (code) => resolve(code))));
		expect(await supervisor.stop()).toEqual({ exited: 2, killed: 0 });
		expect(await Promise.all(codes)).toEqual([0, 0]);
		// No respawn after a stop.
		await sleep(400);
		expect([...supervisor.pids().values()]).toEqual([null, null]);
	});

	it('SIGKILLs a shard that does not exit within the stop deadline', async () => {
		const { supervisor, lines } = supervise({ totalShards: 2, maxConcurrency: 2, stopTimeoutMs: 1200, mode: 'stuck' });
		await supervisor.start();
		const began = Date.now();
		expect(await supervisor.stop()).toEqual({ exited: 1, killed: 1 });
		expect(Date.now() - began).toBeGreaterThanOrEqual(1150);
		expect(lines.some((line) => /Shard 1 \(pid \d+\) did not exit within 1200 ms: SIGKILL\./.test(line))).toBe(true);
	});
});
