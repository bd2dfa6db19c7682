import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessSampler } from '#lib/monitoring/ProcessSampler.js';

function busyWait(ms: number): void {
	const end = performance.now() + ms;
	while (performance.now() < end) {
		// Deliberately blocking the event loop.
	}
}

describe('ProcessSampler', () => {
	let sampler: ProcessSampler | undefined;
	afterEach(() => sampler?.stop());

	it('detects a 150 ms busy-wait as event-loop delay above 100 ms, then resets', async () => {
		sampler = new ProcessSampler({ eventLoopResolutionMs: 20 });
		sampler.start();
		await sleep(200);
		busyWait(150);
		await sleep(100);
		const blocked = await sampler.sample();
		expect(blocked.eventLoop.delayMaxMs).toBeGreaterThan(100);
		expect(blocked.eventLoop.delayP99Ms).toBeGreaterThan(100);
		expect(blocked.eventLoop.utilization).toBeGreaterThan(0.3);

		// The histogram was reset: a quiet window reports a small delay again.
		await sleep(300);
		const quiet = await sampler.sample();
		expect(quiet.eventLoop.delayMaxMs).toBeLessThan(blocked.eventLoop.delayMaxMs - 50);
		expect(quiet.eventLoop.delayP50Ms).toBeLessThan(blocked.eventLoop.delayP99Ms / 2); // relative: a loaded CI machine adds its own delay
	});

	it('a stall that begins right after a sample is not lost (the window boundary keeps the last tick)', async () => {
		sampler = new ProcessSampler({ eventLoopResolutionMs: 100 });
		sampler.start();
		await sleep(350);
		await sampler.sample();
		// Before the next 100 ms tick: a histogram reset here forgets when the loop last ran.
		busyWait(600);
		await sleep(250);
		const stalled = await sampler.sample();
		expect(stalled.eventLoop.delayMaxMs).toBeGreaterThan(400);
		expect(stalled.eventLoop.delayP99Ms).toBeGreaterThan(400);
	});

	it('ticks rarely while the loop idles, and a stall between two quiet ticks still shows as delay', async () => {
		sampler = new ProcessSampler({ eventLoopResolutionMs: 20, quietResolutionMs: 400, quietAfterMs: 200 });
		sampler.start();
		expect(sampler.probePeriodMs).toBe(20);
		await sleep(600);
		expect(sampler.probePeriodMs).toBe(400); // idle: one wake-up per 400 ms instead of per 20 ms
		await sampler.sample();
		// Right after a quiet tick, so its own lateness would miss most of the stall: the busy time it found says it.
		const periodBecomes = (period: number) =>
			new Promise<void>((resolve) => {
				const poll = setInterval(() => {
					if (sampler!.probePeriodMs !== period) return;
					clearInterval(poll);
					resolve();
				}, 5);
			});
		await periodBecomes(400);
		busyWait(250);
		await periodBecomes(20); // work seen: back to the full resolution at the next tick
		const stalled = await sampler.sample();
		expect(stalled.eventLoop.delayMaxMs).toBeGreaterThan(200);
	});

	it('reports memory, threads, file descriptors, handles, CPU and GC by kind', async () => {
		sampler = new ProcessSampler();
		sampler.start();
		const timer = setInterval(() => undefined, 10_000);
		let keep: number[][] = [];
		for (let round = 0; round < 200; round++) keep = [Array.from({ length: 5000 }, (_, index) => index * round)];
		busyWait(30);
		await sleep(50);
		const snapshot = await sampler.sample();
		clearInterval(timer);
		expect(keep.length).toBe(1);

		expect(snapshot.memory.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
		expect(snapshot.memory.heapUsedBytes).toBeGreaterThan(0);
		expect(snapshot.memory.heapUsedBytes).toBeLessThanOrEqual(snapshot.memory.heapTotalBytes);
		expect(snapshot.memory.heapLimitBytes).toBeGreaterThan(snapshot.memory.heapTotalBytes);
		expect(snapshot.memory.heapPercentOfLimit).toBeGreaterThan(0);
		expect(snapshot.handles.byType.Timeout).toBeGreaterThanOrEqual(1);
		expect(snapshot.handles.total).toBeGreaterThanOrEqual(1);
		expect(snapshot.cpuPercentOfCore).toBeGreaterThan(1);
		expect(snapshot.gc.count).toBeGreaterThan(0);
		expect(snapshot.gc.byKind.minor.count).toBeGreaterThan(0);
		expect(snapshot.gc.pauseMs).toBeGreaterThan(0);
		if (process.platform === 'linux') {
			expect(snapshot.threads).toBeGreaterThanOrEqual(2);
			expect(snapshot.openFds).toBeGreaterThan(2);
		}
		// Counts are per window.
		const next = await sampler.sample();
		expect(next.gc.count).toBeLessThan(snapshot.gc.count);
	});

	it('works without start() (no histogram) and on platforms without /proc', async () => {
		sampler = new ProcessSampler({ readStatus: async () => undefined, countFds: async () => undefined });
		const snapshot = await sampler.sample();
		expect(snapshot.eventLoop.delayP99Ms).toBe(0);
		expect(snapshot.threads).toBeNull();
		expect(snapshot.openFds).toBeNull();
	});
});
