import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartRenderError, RenderWorkerPool, spawnChartWorker } from '#lib/charts/RenderWorkerPool.js';

/*
 * A stuck or crashing chart worker. Not an e2e test: a real chart never hangs the worker, so a
 * stand-in worker (ready, then looping forever or exiting on the first request) takes the first
 * slot; every worker after it is a real one (started from source through tsx: seconds, hence the long timeout).
 */
const READY = 'require("node:worker_threads").parentPort.postMessage({ id: 0, ok: true, ready: true });';
const STUCK = `${READY} require("node:worker_threads").parentPort.on("message", () => { for (;;) {} });`;
const CRASH = `${READY} require("node:worker_threads").parentPort.on("message", () => process.exit(3));`;
const HUNG_AT_START = 'setInterval(() => {}, 1000);';

const spec = { layout: 'empty' as const, title: 'after the failure' };
let pool: RenderWorkerPool | undefined;
afterEach(async () => {
	await pool?.close();
	pool = undefined;
});

function poolWithFirstWorker(script: string, renderTimeoutMs = 8000) {
	const spawned: Worker[] = [];
	pool = new RenderWorkerPool(1, {}, {
		renderTimeoutMs,
		spawn: (options) => {
			const worker = spawned.length === 0 ? new Worker(script, { eval: true }) : spawnChartWorker(options);
			spawned.push(worker);
			return worker;
		}
	});
	return { pool, spawned };
}

describe('RenderWorkerPool failures', () => {
	it('a stuck worker is timed out, terminated and replaced; the caller gets a ChartRenderError with a clear message', async () => {
		const { pool, spawned } = poolWithFirstWorker(STUCK);
		const started = Date.now();
		const error = await pool.render(spec).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(ChartRenderError);
		expect((error as ChartRenderError).userMessage).toMatch(/could not be drawn.*again/);
		expect(Date.now() - started).toBeLessThan(15_000);
		expect((await pool.render(spec)).empty).toBe(true);
		expect(spawned).toHaveLength(2);
	}, 60_000);

	it('a worker that hangs while starting is timed out too', async () => {
		const { pool, spawned } = poolWithFirstWorker(HUNG_AT_START);
		await expect(pool.render(spec)).rejects.toBeInstanceOf(ChartRenderError);
		expect((await pool.render(spec)).empty).toBe(true);
		expect(spawned).toHaveLength(2);
	}, 60_000);

	it('a crashed worker fails its render with a ChartRenderError and is replaced', async () => {
		const { pool, spawned } = poolWithFirstWorker(CRASH);
		await expect(pool.render(spec)).rejects.toThrow(/exited with code 3/);
		expect((await pool.render(spec)).empty).toBe(true);
		expect(spawned).toHaveLength(2);
	}, 60_000);
});
