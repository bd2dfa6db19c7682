import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { REST } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Reporter } from '#lib/reporting/Reporter.js';

// An idle bot must cost nothing: the reporter holds a timer only while something is queued.
describe('Reporter wake-ups', () => {
	let dir: string;
	const posts: string[] = [];
	const rest = {
		on: () => rest,
		off: () => rest,
		post: async (route: string) => {
			posts.push(route);
			return { id: '1' };
		}
	} as unknown as REST;
	const make = () =>
		new Reporter({
			rest,
			channels: { diagnostics: '101', logs: '102', analytics: '103', performance: '104' },
			flushIntervalMs: 30_000,
			analyticsIntervalMs: 900_000,
			spoolDir: dir,
			spoolMaxBytes: 1_000_000,
			channelRetryMs: 600_000,
			secrets: [],
			stderr: () => undefined
		});

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'nexus-reporter-idle-'));
		posts.length = 0;
		vi.useFakeTimers();
	});
	afterEach(() => {
		vi.useRealTimers();
		rmSync(dir, { recursive: true, force: true });
	});

	it('sets no timer while nothing is queued, wakes once for a batch, and sleeps again after sending it', async () => {
		const reporter = make();
		reporter.start();
		await vi.advanceTimersByTimeAsync(5000);
		expect(vi.getTimerCount()).toBe(0);

		const timersSet = vi.spyOn(globalThis, 'setTimeout');
		reporter.enqueue('logs', { event: 'a' });
		reporter.enqueue('logs', { event: 'b' });
		expect(vi.getTimerCount()).toBe(1);
		// The batch waits the flush interval for company in one sleep (not a wake-up every second or 100 ms).
		await vi.advanceTimersByTimeAsync(29_000);
		expect(posts).toHaveLength(0);
		expect(timersSet).toHaveBeenCalledTimes(1);
		timersSet.mockRestore();
		await vi.advanceTimersByTimeAsync(1500);
		expect(posts).toEqual(['/channels/102/messages']);
		await vi.advanceTimersByTimeAsync(1000);
		expect(vi.getTimerCount()).toBe(0);

		// A critical event goes out at once, and leaves no timer behind.
		reporter.enqueue('diagnostics', { event: 'down', severity: 'CRITICAL' });
		await vi.advanceTimersByTimeAsync(10);
		expect(posts).toEqual(['/channels/102/messages', '/channels/101/messages']);
		await vi.advanceTimersByTimeAsync(1000);
		expect(vi.getTimerCount()).toBe(0);
		await reporter.stop();
	});
});
