import { describe, expect, it } from 'vitest';
import { ErrorRateMonitor } from '#lib/monitoring/ErrorRateMonitor.js';

describe('ErrorRateMonitor', () => {
	it('counts errors in a sliding window and reports a per-minute rate', () => {
		let now = 0;
		const monitor = new ErrorRateMonitor({ windowMs: 5 * 60_000, bucketMs: 10_000, now: () => now });
		for (let index = 0; index < 30; index++) {
			monitor.record(index % 3 === 0 ? 'command' : 'logger', `boom ${index}`);
			now += 2000;
		}
		// 30 errors within the last 60 s of a 5 min window -> 6/min.
		let snapshot = monitor.snapshot();
		expect(snapshot.count).toBe(30);
		expect(snapshot.perMinute).toBeCloseTo(6);
		expect(snapshot.bySource).toEqual({ command: 10, logger: 20 });
		expect(snapshot.lastError).toMatchObject({ source: 'logger', message: 'boom 29' });

		// 3 minutes later all are still inside; 10 s buckets drop the oldest bucket first.
		now += 3 * 60_000;
		expect(monitor.snapshot().count).toBe(30);
		now += 60_000;
		expect(monitor.snapshot().count).toBe(25);
		now += 5 * 60_000;
		snapshot = monitor.snapshot();
		expect(snapshot.count).toBe(0);
		expect(snapshot.perMinute).toBe(0);
		expect(snapshot.total).toBe(30);

		// A slot reused much later does not leak old counts.
		monitor.record('logger', 'again');
		expect(monitor.snapshot().count).toBe(1);
	});

	it('bounds the number of sources', () => {
		const monitor = new ErrorRateMonitor({ maxSources: 3 });
		for (let index = 0; index < 50; index++) monitor.record(`source${index}`);
		const sources = Object.keys(monitor.snapshot().bySource);
		expect(sources).toHaveLength(4);
		expect(sources).toContain('other');
	});
});
