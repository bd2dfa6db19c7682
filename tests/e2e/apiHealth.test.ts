import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEnv, bearer, eventually, freePort, type ApiEnv } from './support/api.js';
import { startStack, type Stack } from './support/stack.js';
import { startRedis } from './support/throwawayRedis.js';

/** A throwaway Redis of our own (no persistence), so stopping it does not disturb other tests. */

async function stopRedis(proc: ChildProcess | undefined) {
	if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
	const exited = new Promise((resolve) => proc.once('exit', resolve));
	proc.kill('SIGKILL');
	await exited;
}

let redisPort: number;
let redis: ChildProcess | undefined;
let stack: Stack;
let api: ApiEnv;

async function health() {
	const started = performance.now();
	const response = await fetch(`${api.base}/api/health`, { headers: bearer(api.token) });
	return { status: response.status, body: (await response.json()) as { status: string; failing: string[]; checks: Record<string, { ok: boolean; error?: string }> }, ms: performance.now() - started };
}

beforeAll(async () => {
	redisPort = await freePort();
	redis = await startRedis(redisPort);
	api = await apiEnv();
	stack = await startStack({ env: { ...api.env, REDIS_URL: `redis://127.0.0.1:${redisPort}` } });
	await stack.bot.waitForLine(/Nexus API listening/, 10_000);
});

afterAll(async () => {
	await stack?.stop();
	await stopRedis(redis);
});

describe('/api/health follows Redis', () => {
	it('is 200 with every check passing while Redis runs', async () => {
		const result = await eventually(async () => {
			const answer = await health();
			return answer.status === 200 ? answer : undefined;
		});
		expect(result.body).toMatchObject({ status: 'ok', failing: [], checks: { gateway: { ok: true }, redis: { ok: true }, store: { ok: true } } });
	});

	it('turns 503 naming redis when Redis stops, answering fast', async () => {
		await stopRedis(redis);
		const result = await eventually(async () => {
			const answer = await health();
			return answer.status === 503 ? answer : undefined;
		}, 10_000);
		expect(result.body.status).toBe('fail');
		expect(result.body.failing).toEqual(['redis']);
		expect(result.body.checks.redis).toMatchObject({ ok: false, error: expect.any(String) });
		expect(result.body.checks.gateway.ok).toBe(true);
		expect(result.body.checks.store.ok).toBe(true);
		// The failing part is named, not how to reach it.
		expect(JSON.stringify(result.body)).not.toContain(String(redisPort));
		// Bounded by the per-check timeout, never hanging on the offline Redis.
		const again = await health();
		expect(again.status).toBe(503);
		expect(again.ms).toBeLessThan(3000);
		// Liveness is unaffected: restarting the process would not bring Redis back.
		expect((await fetch(`${api.base}/api/health/live`)).status).toBe(200);
	});

	it('is 200 again once Redis is back on the same port', async () => {
		redis = await startRedis(redisPort);
		const result = await eventually(async () => {
			const answer = await health();
			return answer.status === 200 ? answer : undefined;
		}, 30_000, 250);
		expect(result.body).toMatchObject({ status: 'ok', failing: [], checks: { redis: { ok: true } } });
	});
});
