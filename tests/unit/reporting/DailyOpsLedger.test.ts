import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DailyOpsLedger, type HealthReading } from '#lib/reporting/DailyOpsLedger.js';

let redis: Redis;
const prefix = `test:ops:${randomBytes(6).toString('hex')}:`;

beforeAll(() => {
	redis = new Redis({ host: '127.0.0.1', port: 6379 });
});
afterAll(async () => {
	const keys = await redis.keys(`${prefix}*`);
	if (keys.length) await redis.del(...keys);
	await redis.quit();
});

const DAY = '2026-11-22';
const at = (hour: number, minute: number, second = 0) => Date.UTC(2026, 10, 22, hour, minute, second);

describe('DailyOpsLedger', () => {
	it('merges two processes: up minutes, starts, health count/min/avg and alerts raised', async () => {
		let now = at(10, 0);
		const health: [HealthReading | undefined, HealthReading | undefined] = [undefined, undefined];
		const alerts: [{ key: string; since: number }[], { key: string; since: number }[]] = [[], []];
		const errors: unknown[] = [];
		const ledgers = [0, 1].map(
			(i) => new DailyOpsLedger({ redis, prefix, now: () => now, tickMs: 3_600_000, health: () => health[i], alerts: () => alerts[i]!, onError: (error) => errors.push(error) })
		);
		ledgers[0]!.start();
		ledgers[1]!.start();
		await new Promise((resolve) => setTimeout(resolve, 50));

		// Process 0 ticks every 30 s for 10 minutes; process 1 for minutes 5..14 (overlap counts once).
		for (let s = 0; s < 10 * 60; s += 30) {
			now = at(10, 0, s);
			await ledgers[0]!.tick();
		}
		for (let s = 5 * 60; s < 15 * 60; s += 30) {
			now = at(10, 0, s);
			await ledgers[1]!.tick();
		}

		// Health: a report counts once however often it is polled.
		health[0] = { timestamp: new Date(at(11, 0)).toISOString(), score: 90 };
		now = at(11, 0, 10);
		await ledgers[0]!.tick();
		await ledgers[0]!.tick();
		health[0] = { timestamp: new Date(at(11, 5)).toISOString(), score: 70 };
		health[1] = { timestamp: new Date(at(11, 5)).toISOString(), score: 50 };
		await ledgers[0]!.tick();
		await ledgers[1]!.tick();

		// Alerts: an alert counts when it appears, not while it stays active; a new episode counts again.
		alerts[0] = [{ key: 'memory', since: at(11, 0) }];
		await ledgers[0]!.tick();
		await ledgers[0]!.tick();
		alerts[0] = [];
		await ledgers[0]!.tick();
		alerts[0] = [{ key: 'memory', since: at(12, 0) }, { key: 'cpu', since: at(12, 0) }];
		alerts[1] = [{ key: 'cpu', since: at(12, 1) }];
		await ledgers[0]!.tick();
		await ledgers[1]!.tick();

		const figures = await ledgers[0]!.read(DAY);
		ledgers.forEach((ledger) => ledger.stop());
		expect(errors).toEqual([]);
		// 10:00-10:14 (15 minutes) and 11:00 (the health ticks).
		expect(figures.upMinutes).toBe(16);
		expect(figures.starts).toBe(2);
		expect(figures.health).toEqual({ samples: 3, min: 50, avg: 70 });
		expect(figures.alertsRaised).toBe(4);
		expect(await redis.ttl(`${prefix}${DAY}`)).toBeGreaterThan(9 * 86_400);
	});

	it('reads an unknown day as zeros without health', async () => {
		const ledger = new DailyOpsLedger({ redis, prefix });
		expect(await ledger.read('2001-01-01')).toEqual({ upMinutes: 0, starts: 0, alertsRaised: 0, health: undefined });
	});
});
