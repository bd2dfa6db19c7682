import { describe, expect, it } from 'vitest';
import { SystemSampler, type SystemSamplerDeps } from '#lib/monitoring/SystemSampler.js';

const GB = 1024 ** 3;

function fakeHost() {
	const state = {
		now: 1_000_000,
		stat: [1000, 0, 500, 8000, 100, 0, 0, 0],
		net: { rx: 10_000, tx: 20_000 },
		disk: { reads: 100, sectorsRead: 1000, writes: 50, sectorsWritten: 400 },
		rss: 200 * 1024 * 1024,
		limit: undefined as number | undefined
	};
	const files: Record<string, () => string> = {
		'/proc/stat': () => `cpu  ${state.stat.join(' ')} 0 0\ncpu0 1 1 1 1\n`,
		'/proc/net/dev': () => `h\nh\n    lo: 99 1 0 0 0 0 0 0 99 1 0 0 0 0 0 0\n  eth0: ${state.net.rx} 1 0 0 0 0 0 0 ${state.net.tx} 1 0 0 0 0 0 0\n`,
		'/proc/diskstats': () => ` 253 0 vda ${state.disk.reads} 0 ${state.disk.sectorsRead} 0 ${state.disk.writes} 0 ${state.disk.sectorsWritten} 0 0 0 0 0 0 0 0\n`,
		'/proc/cpuinfo': () => 'cpu MHz\t\t: 2500.0\ncpu MHz\t\t: 2700.0\n'
	};
	const deps: Partial<SystemSamplerDeps> = {
		platform: 'linux',
		now: () => state.now,
		readText: async (path) => files[path]?.(),
		readDir: async () => ['loop0', 'vda'],
		statfs: async (path) => {
			if (path === '/missing') throw new Error('ENOENT');
			return { bsize: 4096, blocks: 1000, bfree: 300, bavail: 200 };
		},
		memory: async () => ({ total: 16 * GB, available: 4 * GB, swaptotal: 2 * GB, swapused: 0.5 * GB }),
		cpus: () => [
			{ model: ' Test CPU ', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } },
			{ model: 'Test CPU', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }
		],
		loadavg: () => [1.5, 1, 0.5],
		rss: () => state.rss,
		constrainedMemory: () => state.limit
	};
	return { state, deps };
}

describe('SystemSampler', () => {
	it('computes CPU shares, rates and usage from two readings', async () => {
		const { state, deps } = fakeHost();
		const sampler = new SystemSampler({ deps, diskPaths: ['/', '/missing'] });
		expect(sampler.cores).toBe(2);
		expect(sampler.model).toBe('Test CPU');

		const first = await sampler.sample();
		expect(first.windowMs).toBe(0);
		expect(first.network.rxBytesPerSec).toBe(0);

		state.now += 10_000;
		// 1000 ticks elapse: 300 user, 100 system, 500 idle, 50 iowait, 50 steal -> busy 45%.
		state.stat = [1300, 0, 600, 8500, 150, 0, 0, 50];
		state.net = { rx: 60_000, tx: 25_000 };
		state.disk = { reads: 200, sectorsRead: 3000, writes: 70, sectorsWritten: 800 };
		const snapshot = await sampler.sample();

		expect(snapshot.windowMs).toBe(10_000);
		expect(snapshot.cpu.usagePercent).toBeCloseTo(45);
		expect(snapshot.cpu.userPercent).toBeCloseTo(30);
		expect(snapshot.cpu.systemPercent).toBeCloseTo(10);
		expect(snapshot.cpu.iowaitPercent).toBeCloseTo(5);
		expect(snapshot.cpu.stealPercent).toBeCloseTo(5);
		expect(snapshot.cpu.loadAverage).toEqual([1.5, 1, 0.5]);
		expect(snapshot.cpu.loadPerCore).toBe(0.75);
		expect(snapshot.cpu.speedMHz).toEqual({ avg: 2600, min: 2500, max: 2700 });

		expect(snapshot.network).toMatchObject({ rxBytesPerSec: 5000, txBytesPerSec: 500, interfaces: 1, rxTotalBytes: 60_000 });
		expect(snapshot.disk.readBytesPerSec).toBe((2000 * 512) / 10);
		expect(snapshot.disk.writeOpsPerSec).toBe(2);
		// df-style: used 700 blocks of (700 used + 200 available).
		expect(snapshot.disk.mounts).toEqual([{ path: '/', totalBytes: 4096 * 1000, usedBytes: 4096 * 700, usedPercent: (700 / 900) * 100 }]);
		expect(snapshot.disk.maxUsedPercent).toBeCloseTo(77.78, 1);

		expect(snapshot.memory).toMatchObject({ totalBytes: 16 * GB, usedBytes: 12 * GB, usedPercent: 75, swapPercent: 25, limitBytes: null, effectivePercent: 75 });
	});

	it('uses the container limit when it is the tighter one', async () => {
		const { state, deps } = fakeHost();
		state.limit = 256 * 1024 * 1024;
		const snapshot = await new SystemSampler({ deps }).sample();
		expect(snapshot.memory.limitBytes).toBe(256 * 1024 * 1024);
		expect(snapshot.memory.rssPercentOfLimit).toBeCloseTo(78.125);
		expect(snapshot.memory.effectivePercent).toBeCloseTo(78.125);
		// "No limit" reported as a huge number (cgroup v1 max) is ignored.
		state.limit = 2 ** 64;
		expect((await new SystemSampler({ deps }).sample()).memory.limitBytes).toBeNull();
	});

	it('samples this machine with sane values', async () => {
		const sampler = new SystemSampler();
		await sampler.prime();
		await new Promise((resolve) => setTimeout(resolve, 300));
		const snapshot = await sampler.sample();
		expect(snapshot.windowMs).toBeGreaterThan(250);
		expect(snapshot.cpu.cores).toBeGreaterThanOrEqual(1);
		expect(snapshot.cpu.usagePercent).toBeGreaterThanOrEqual(0);
		expect(snapshot.cpu.usagePercent).toBeLessThanOrEqual(100);
		expect(snapshot.memory.totalBytes).toBeGreaterThan(0);
		expect(snapshot.memory.usedPercent).toBeGreaterThan(0);
		expect(snapshot.memory.usedPercent).toBeLessThan(100);
		expect(snapshot.disk.mounts[0].path).toBe('/');
		expect(snapshot.disk.mounts[0].usedPercent).toBeGreaterThan(0);
	});
});
