import { Status } from 'discord.js';
import { Kysely, SqliteDialect } from 'kysely';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runHealthChecks } from '#lib/api/HealthChecks.js';
import { nexusHealthProbes, type PingableRedis } from '#lib/api/nexusHealthProbes.js';

describe('runHealthChecks', () => {
	it('is ok when every probe resolves', async () => {
		const result = await runHealthChecks({ a: () => undefined, b: async () => 'yes' }, { timeoutMs: 100 });
		expect(result).toMatchObject({ status: 'ok', failing: [], checks: { a: { ok: true }, b: { ok: true } } });
	});

	it('names every failing probe, in order, with a short reason', async () => {
		const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:6379'), { code: 'ECONNREFUSED' });
		const result = await runHealthChecks(
			{
				gateway: () => undefined,
				redis: async () => Promise.reject(refused),
				store: () => {
					throw new Error('could not reach postgres://nexus:hunter2@db.internal/nexus');
				}
			},
			{ timeoutMs: 100 }
		);
		expect(result.status).toBe('fail');
		expect(result.failing).toEqual(['redis', 'store']);
		expect(result.checks.redis).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
		expect(result.checks.store!.error).toBe('could not reach <url>');
		expect(JSON.stringify(result)).not.toMatch(/hunter2|10\.0\.0\.7/);
	});

	it('bounds a hung probe by the timeout, while the others still answer', async () => {
		const started = performance.now();
		const result = await runHealthChecks({ hung: () => new Promise(() => undefined), fine: () => undefined }, { timeoutMs: 50 });
		expect(performance.now() - started).toBeLessThan(500);
		expect(result.failing).toEqual(['hung']);
		expect(result.checks.hung!.error).toBe('no answer within 50 ms');
		expect(result.checks.fine!.ok).toBe(true);
	});
});

describe('nexusHealthProbes', () => {
	const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
	const redis = (status: string, answer = 'PONG'): PingableRedis & { pings: number } => ({
		status,
		pings: 0,
		ping() {
			this.pings++;
			return Promise.resolve(answer);
		}
	});

	it('passes with every shard READY, Redis answering PONG and the store answering a query', async () => {
		const connection = redis('ready');
		const probes = nexusHealthProbes({ shards: () => [{ id: 0, status: Status.Ready }, { id: 1, status: Status.Ready }], redis: () => connection, db: () => db });
		const result = await runHealthChecks(probes, { timeoutMs: 500 });
		expect(result.failing).toEqual([]);
		expect(connection.pings).toBe(1);
	});

	it('has no Redis check without a Redis (embedded scheduler)', async () => {
		const result = await runHealthChecks(nexusHealthProbes({ shards: () => [{ id: 0, status: Status.Ready }], db: () => db }), { timeoutMs: 500 });
		expect(result.status).toBe('ok');
		expect(Object.keys(result.checks).sort()).toEqual(['gateway', 'store']);
	});

	it('fails the gateway when any shard is not READY, or when there is none', async () => {
		const probes = nexusHealthProbes({ shards: () => [{ id: 0, status: Status.Ready }, { id: 1, status: Status.Reconnecting }], redis: () => redis('ready'), db: () => db });
		const result = await runHealthChecks(probes, { timeoutMs: 500 });
		expect(result.failing).toEqual(['gateway']);
		expect(result.checks.gateway!.error).toBe('shard 1 Reconnecting');
		const none = await runHealthChecks(nexusHealthProbes({ shards: () => [], redis: () => redis('ready'), db: () => db }), { timeoutMs: 500 });
		expect(none.checks.gateway!.error).toBe('no shard connected');
	});

	it('fails Redis without queueing a PING while the connection is down', async () => {
		const connection = redis('reconnecting');
		const result = await runHealthChecks(nexusHealthProbes({ shards: () => [{ id: 0, status: Status.Ready }], redis: async () => connection, db: () => db }), { timeoutMs: 500 });
		expect(result.failing).toEqual(['redis']);
		expect(result.checks.redis!.error).toBe('connection reconnecting');
		expect(connection.pings).toBe(0);
	});

	it('fails the store when its query fails', async () => {
		const database = new Database(':memory:');
		database.close();
		const closed = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
		const result = await runHealthChecks(nexusHealthProbes({ shards: () => [{ id: 0, status: Status.Ready }], redis: () => redis('ready'), db: () => closed }), { timeoutMs: 500 });
		expect(result.failing).toEqual(['store']);
	});
});
