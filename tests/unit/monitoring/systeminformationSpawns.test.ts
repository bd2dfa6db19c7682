import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ProcessSampler } from '#lib/monitoring/ProcessSampler.js';
import { SystemSampler } from '#lib/monitoring/SystemSampler.js';

/**
 * Measures which systeminformation functions start child processes, and proves the samplers
 * start none. Every async child (spawn/exec/execFile/fork, even through references captured at
 * load time) goes through ChildProcess.prototype.spawn; the sync ones are wrapped on the module
 * exports before systeminformation is loaded, because it captures them at load.
 */
const require = createRequire(import.meta.url);
const childProcess = require('node:child_process') as typeof import('node:child_process');
const exportsObject = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
const spawned: string[] = [];

const prototype = childProcess.ChildProcess.prototype as unknown as { spawn: (options: { file?: string; args?: string[] }) => unknown };
const originalSpawn = prototype.spawn;
prototype.spawn = function (this: unknown, options) {
	spawned.push(String(options?.args?.join(' ') ?? options?.file).slice(0, 60));
	return originalSpawn.call(this, options);
};
for (const name of ['execSync', 'execFileSync', 'spawnSync'] as const) {
	const original = exportsObject[name];
	exportsObject[name] = function (this: unknown, ...args: unknown[]) {
		spawned.push(`${name} ${String(args[0]).slice(0, 50)}`);
		return original.apply(this, args);
	};
}
for (const key of Object.keys(require.cache)) if (key.includes('/node_modules/systeminformation/')) delete require.cache[key];
const si = require('systeminformation') as typeof import('systeminformation');

async function spawnsOf(run: () => Promise<unknown>): Promise<string[]> {
	const before = spawned.length;
	await run();
	// Some functions spawn from callbacks after resolving; let them settle.
	await sleep(30);
	return spawned.slice(before);
}

const MEASURED: Record<string, () => Promise<unknown>> = {
	mem: () => si.mem(),
	cpuCurrentSpeed: () => si.cpuCurrentSpeed(),
	currentLoad: () => si.currentLoad(),
	fsSize: () => si.fsSize(),
	fsStats: () => si.fsStats(),
	disksIO: () => si.disksIO(),
	networkStats: () => si.networkStats(),
	cpu: () => si.cpu()
};

describe.runIf(process.platform === 'linux')('child processes started by monitoring', () => {
	it('measures systeminformation: mem/cpuCurrentSpeed never spawn; load, disk and network stats spawn on every call', async () => {
		// First pass warms the library's one-time caches; after 600 ms its 500 ms result caches expire,
		// so the second pass shows what a call on a real interval costs.
		for (const run of Object.values(MEASURED)) await run();
		await sleep(600);
		const steady: Record<string, string[]> = {};
		for (const [name, run] of Object.entries(MEASURED)) steady[name] = await spawnsOf(run);
		console.log('systeminformation child processes per call (steady state):\n' + Object.entries(steady).map(([name, list]) => `  ${name.padEnd(16)} ${list.length}  ${list.slice(0, 2).join(' | ')}`).join('\n'));

		expect(steady.mem).toEqual([]);
		expect(steady.cpuCurrentSpeed).toEqual([]);
		for (const name of ['currentLoad', 'fsSize', 'fsStats', 'disksIO', 'networkStats', 'cpu']) expect(steady[name].length, name).toBeGreaterThan(0);
	});

	it('SystemSampler reads the same memory figures as si.mem(), without loading it', async () => {
		const [ours, theirs] = await Promise.all([new SystemSampler().sampleMemory(), si.mem()]);
		expect(ours.totalBytes).toBe(theirs.total);
		expect(ours.swapTotalBytes).toBe(theirs.swaptotal);
		expect(Math.abs(ours.availableBytes - theirs.available)).toBeLessThan(64 * 1024 * 1024);
	});

	it('SystemSampler and ProcessSampler start no child process', async () => {
		const system = new SystemSampler();
		const processSampler = new ProcessSampler();
		processSampler.start();
		try {
			const first = await spawnsOf(async () => {
				await system.sample();
				await processSampler.sample();
			});
			await sleep(600);
			const second = await spawnsOf(async () => {
				await system.sample();
				await processSampler.sample();
			});
			const memoryWatch = await spawnsOf(() => system.sampleMemory());
			expect([...first, ...second, ...memoryWatch]).toEqual([]);
		} finally {
			processSampler.stop();
		}
	});
});
