import { afterAll, describe, expect, it } from 'vitest';
import { ChartRenderer } from '#lib/charts/ChartRenderer.js';
import type { ChartSpec } from '#lib/charts/ChartSpecs.js';
import { RenderWorkerPool } from '#lib/charts/RenderWorkerPool.js';
import { heatmap, serverOverview } from './chartFixtures.js';
import { decodePng, distinctColours } from './pngInspect.js';

describe('ChartRenderer with worker threads', () => {
	const inThread = new ChartRenderer();
	const threaded = new ChartRenderer({ workers: 2 });
	afterAll(() => threaded.stop());

	it('draws the same pixels as in-thread rendering', async () => {
		await threaded.start();
		for (const spec of [{ layout: 'serverOverview', ...serverOverview() }, { layout: 'heatmap', ...heatmap() }] as ChartSpec[]) {
			const [local, remote] = await Promise.all([inThread.render(spec), threaded.render(spec)]);
			expect(Buffer.isBuffer(remote.png)).toBe(true);
			const [a, b] = await Promise.all([decodePng(local.png), decodePng(remote.png)]);
			expect([b.width, b.height]).toEqual([1200, 675]);
			expect(distinctColours(b)).toBeGreaterThan(150);
			expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);
			expect(remote.drawMs).toBeGreaterThan(0);
			// The calling thread only cloned a small spec and took the PNG back.
			expect(remote.mainThreadMs).toBeLessThan(Math.max(local.mainThreadMs, 20));
		}
		expect(threaded.stats()).toMatchObject({ renders: 2, errors: 0 });
	});

	it('serves concurrent renders across the workers', async () => {
		const results = await Promise.all(Array.from({ length: 6 }, (_, i) => threaded.render({ layout: 'timeSeries', title: `n${i}`, labels: ['a', 'b'], series: [{ label: 's', values: [i + 1, 2] }] })));
		expect(new Set(results.map((r) => r.png.toString('base64'))).size).toBe(6);
	});

	it('reports a render error and keeps working', async () => {
		const bad = { layout: 'timeSeries', title: 'x', labels: ['a'], series: [{ label: 's', values: null }] } as unknown as ChartSpec;
		await expect(threaded.render(bad)).rejects.toThrow();
		expect(threaded.stats().errors).toBe(1);
		expect((await threaded.render({ layout: 'empty', title: 'still here' })).empty).toBe(true);
	});

	it('replaces a worker that died, failing only what it had in flight', async () => {
		const pool = new RenderWorkerPool(1, {});
		const spec: ChartSpec = { layout: 'heatmap', ...heatmap() };
		await pool.start();
		const slot = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0];
		// Terminated first, so the render sent right after can never finish, however the threads are scheduled.
		const terminated = slot.worker.terminate();
		const inFlight = pool.render(spec);
		await terminated;
		await expect(inFlight).rejects.toThrow(/exited/);
		const again = await pool.render(spec);
		expect(again.width).toBe(1200);
		await pool.close();
		await expect(pool.render(spec)).rejects.toThrow(/closed/);
	});
	it('starts a worker on the first render, not before, and lets it exit after an idle period', async () => {
		const pool = new RenderWorkerPool(1, {}, { idleExitMs: 300 });
		try {
			expect(pool.running).toBe(0);
			const spec: ChartSpec = { layout: 'timeSeries', title: 'idle', labels: ['a', 'b'], series: [{ label: 's', values: [1, 2] }] };
			expect((await pool.render(spec)).png.length).toBeGreaterThan(1000);
			expect(pool.running).toBe(1);
			const deadline = Date.now() + 10_000;
			while (pool.running > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
			expect(pool.running).toBe(0);
			// The next render starts a fresh worker.
			expect((await pool.render(spec)).png.length).toBeGreaterThan(1000);
			expect(pool.running).toBe(1);
		} finally {
			await pool.close();
		}
	});
});
