import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcileRepeatables, type RepeatableQueue } from '#lib/tasks/RepeatableReconciler.js';

const queue = new Queue(`reconcile-${randomBytes(4).toString('hex')}`, { connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null } });

afterAll(async () => {
	await queue.obliterate({ force: true });
	await queue.close();
});

describe('reconcileRepeatables (real Redis)', () => {
	it('removes schedules no task declares any more and reports the missing ones', async () => {
		await queue.add('stats-flush', null, { repeat: { every: 30_000 } }); // old interval
		await queue.add('stats-flush', null, { repeat: { every: 60_000 } });
		await queue.add('daily-summary', null, { repeat: { pattern: '0 0 * * *', tz: 'UTC' } });
		await queue.add('removed-task', null, { repeat: { every: 5_000 } });

		const result = await reconcileRepeatables(queue as unknown as RepeatableQueue, [
			{ name: 'stats-flush', every: 60_000 },
			{ name: 'daily-summary', pattern: '0 0 * * *', tz: 'UTC' },
			{ name: 'health-report', every: 300_000 }
		]);

		expect(result.removed.sort()).toEqual(['removed-task', 'stats-flush']);
		expect(result.missing).toEqual([{ name: 'health-report', every: 300_000 }]);
		const left = await queue.getRepeatableJobs();
		expect(left.map((job) => `${job.name}:${job.every ?? job.pattern}`).sort()).toEqual(['daily-summary:0 0 * * *', 'stats-flush:60000']);
	});

	it('is a no-op when Redis already matches', async () => {
		const result = await reconcileRepeatables(queue as unknown as RepeatableQueue, [
			{ name: 'stats-flush', every: 60_000 },
			{ name: 'daily-summary', pattern: '0 0 * * *', tz: 'UTC' }
		]);
		expect(result).toEqual({ removed: [], missing: [] });
	});
});
