import { describe, expect, it } from 'vitest';
import { AlertManager } from '#lib/monitoring/AlertManager.js';
import { CommandTracker } from '#lib/monitoring/CommandTracker.js';
import { ErrorRateMonitor } from '#lib/monitoring/ErrorRateMonitor.js';
import { mergeCommandWindows, mergeErrorSnapshots, parseCommandWindow, serializeCommandWindow } from '#lib/monitoring/fleetWindows.js';

describe('fleet windows', () => {
	it('sums error windows: counts, per minute, sources, the newest last error', () => {
		let now = 1_000_000;
		const a = new ErrorRateMonitor({ now: () => now });
		const b = new ErrorRateMonitor({ now: () => now });
		for (let i = 0; i < 15; i++) a.record('log', 'a');
		now += 1000;
		for (let i = 0; i < 15; i++) b.record('command', 'b');
		const merged = mergeErrorSnapshots([a.snapshot(), b.snapshot()]);
		expect(merged.count).toBe(30);
		expect(merged.perMinute).toBe(6);
		expect(merged.bySource).toEqual({ log: 15, command: 15 });
		expect(merged.lastError?.message).toBe('b');
		// Each alone stays under the 5 per minute line; together they cross it.
		expect(a.snapshot().perMinute).toBe(3);
	});

	it('merges command windows per command and survives the trip through JSON', () => {
		let now = 0;
		const tracker = (fail: boolean) => {
			const t = new CommandTracker({ now: () => now });
			for (let i = 0; i < 3; i++) {
				t.begin({ id: `${fail}${i}`, command: 'nexus', category: 'ops' });
				now += 10 * (i + 1);
				t.finish(`${fail}${i}`, fail ? { success: false, error: { type: 'OwnerOnly', message: 'no' } } : { success: true });
			}
			return t.takeWindow();
		};
		const one = tracker(false);
		const two = parseCommandWindow(serializeCommandWindow(tracker(true)))!;
		expect(two.commands[0]!.durations).toBeInstanceOf(Float64Array);
		const merged = mergeCommandWindows([one, two]);
		expect(merged.commands).toHaveLength(1);
		expect(merged.commands[0]).toMatchObject({ command: 'nexus', runs: 6, failures: 3, totalMs: 120, maxMs: 30 });
		expect(Array.from(merged.commands[0]!.durations)).toEqual([10, 20, 30, 10, 20, 30]);
		expect(merged.commands[0]!.errorTypes.OwnerOnly!.count).toBe(3);
		expect(merged.recentErrors).toHaveLength(3);
		expect(parseCommandWindow('not json')).toBeUndefined();
	});

	it('an alert state handed to another process continues there: no second fire, one recovery', () => {
		const first = new AlertManager();
		expect(first.evaluate({ errorRate: 8 }, 0).map((e) => e.kind)).toEqual(['fired']);
		const second = new AlertManager();
		second.importStates(first.exportStates(['errorRate']));
		expect(second.evaluate({ errorRate: 8 }, 1000)).toEqual([]);
		expect(second.evaluate({ errorRate: 0 }, 2000).map((e) => e.kind)).toEqual(['recovered']);
		first.importStates(second.exportStates(['errorRate']));
		expect(first.active()).toEqual([]);
	});
});
