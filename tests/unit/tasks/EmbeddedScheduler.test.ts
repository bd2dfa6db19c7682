import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedScheduler, type EmbeddedTaskPiece } from '#lib/tasks/EmbeddedScheduler.js';

interface Piece extends EmbeddedTaskPiece {
	calls: number[];
}

const piece = (name: string, schedule: { interval?: number; pattern?: string }, body: () => unknown = () => undefined): Piece => {
	const calls: number[] = [];
	return {
		name,
		interval: schedule.interval ?? null,
		pattern: schedule.pattern ?? null,
		timezone: 'UTC',
		calls,
		run: () => {
			calls.push(Date.now());
			return body();
		}
	};
};

function scheduler(pieces: Piece[]) {
	const events: string[] = [];
	const lines: string[] = [];
	const instance = new EmbeddedScheduler<Piece>({
		tasks: () => pieces,
		events: {
			run: (p) => events.push(`run:${p.name}`),
			success: (p) => events.push(`success:${p.name}`),
			error: (error, p) => events.push(`error:${p.name}:${(error as Error).message}`),
			finished: (p) => events.push(`finished:${p.name}`)
		},
		log: { info: (m) => lines.push(m) }
	});
	return { instance, events, lines };
}

const originalTz = process.env.TZ;

beforeEach(() => {
	vi.useFakeTimers({ now: Date.parse('2026-03-10T12:00:00.400Z') });
});

afterEach(() => {
	vi.useRealTimers();
	if (originalTz === undefined) delete process.env.TZ;
	else process.env.TZ = originalTz;
});

describe('EmbeddedScheduler', () => {
	it('runs interval tasks on multiples of the interval since the epoch, as BullMQ does, and says what it scheduled', async () => {
		const health = piece('monitorHealth', { interval: 5000 });
		const { instance, events, lines } = scheduler([health]);
		instance.beginWatching();
		expect(lines[0]).toBe('Embedded scheduler: 1 task(s) scheduled in this process: monitorHealth (every 5 s).');
		expect(instance.states()[0]!.nextRunAt).toBe(Date.parse('2026-03-10T12:00:05.000Z'));
		await vi.advanceTimersByTimeAsync(15_000);
		expect(health.calls.map((at) => new Date(at).toISOString())).toEqual(['2026-03-10T12:00:05.000Z', '2026-03-10T12:00:10.000Z', '2026-03-10T12:00:15.000Z']);
		expect(events.slice(0, 3)).toEqual(['run:monitorHealth', 'success:monitorHealth', 'finished:monitorHealth']);
		expect(instance.states()[0]).toMatchObject({ runs: 3, failures: 0, running: false });
		await instance.stop();
	});

	it('reads cron patterns in UTC whatever the host timezone', async () => {
		process.env.TZ = 'America/New_York';
		vi.setSystemTime(Date.parse('2026-03-10T23:59:58.000Z'));
		const summary = piece('dailySummary', { pattern: '0 0 * * *' });
		const retention = piece('statsRetention', { pattern: '30 3 * * *' });
		const { instance, lines } = scheduler([summary, retention]);
		instance.beginWatching();
		expect(lines[0]).toContain('dailySummary (cron "0 0 * * *" UTC), statsRetention (cron "30 3 * * *" UTC)');
		expect(instance.states().map((state) => new Date(state.nextRunAt!).toISOString())).toEqual(['2026-03-11T00:00:00.000Z', '2026-03-11T03:30:00.000Z']);
		await vi.advanceTimersByTimeAsync(3000);
		expect(summary.calls.map((at) => new Date(at).toISOString())).toEqual(['2026-03-11T00:00:00.000Z']);
		expect(retention.calls).toEqual([]);
		expect(new Date(instance.states()[0]!.nextRunAt!).toISOString()).toBe('2026-03-12T00:00:00.000Z');
		await instance.stop();
	});

	it('skips a tick while the previous run of the same task is still busy, instead of stacking runs', async () => {
		let release!: () => void;
		const slow = piece('analyticsReport', { interval: 1000 }, () => new Promise<void>((resolve) => (release = resolve)));
		const { instance } = scheduler([slow]);
		instance.beginWatching();
		// Ticks at :01, :02, :03 and :04; the first run is still busy for the last three.
		await vi.advanceTimersByTimeAsync(3700);
		expect(slow.calls).toHaveLength(1);
		expect(instance.states()[0]).toMatchObject({ running: true, skippedOverlaps: 3 });
		release();
		await vi.advanceTimersByTimeAsync(1000);
		expect(slow.calls).toHaveLength(2);
		release();
		await instance.stop();
	});

	it('reports a failing run as an error event and keeps the schedule', async () => {
		let fail = true;
		const flaky = piece('monitorErrors', { interval: 1000 }, () => {
			if (fail) throw new Error('store unreachable');
		});
		const { instance, events } = scheduler([flaky]);
		instance.beginWatching();
		await vi.advanceTimersByTimeAsync(1000);
		fail = false;
		await vi.advanceTimersByTimeAsync(1000);
		expect(events).toEqual(['run:monitorErrors', 'error:monitorErrors:store unreachable', 'finished:monitorErrors', 'run:monitorErrors', 'success:monitorErrors', 'finished:monitorErrors']);
		expect(instance.states()[0]).toMatchObject({ runs: 1, failures: 1 });
		await instance.stop();
	});

	it('stops scheduling at stop(), waits for a run in progress, and gives up on it when the deadline passes', async () => {
		let release!: () => void;
		const slow = piece('statsRetention', { interval: 1000 }, () => new Promise<void>((resolve) => (release = resolve)));
		const { instance } = scheduler([slow]);
		instance.beginWatching();
		await vi.advanceTimersByTimeAsync(1000);
		let stopped = false;
		const stopping = instance.stop().then(() => (stopped = true));
		await vi.advanceTimersByTimeAsync(10);
		expect(stopped).toBe(false);
		release();
		await stopping;
		await vi.advanceTimersByTimeAsync(10_000);
		expect(slow.calls).toHaveLength(1);

		const stuck = piece('dailySummary', { interval: 1000 }, () => new Promise<void>(() => undefined));
		const second = scheduler([stuck]).instance;
		second.beginWatching();
		await vi.advanceTimersByTimeAsync(1000);
		const deadline = new AbortController();
		const ending = second.stop(deadline.signal);
		deadline.abort();
		await expect(ending).resolves.toBeUndefined();
	});

	it('runNow runs a task at once (or joins the run in progress) and rejects unknown names', async () => {
		const health = piece('monitorHealth', { interval: 60_000 });
		const { instance } = scheduler([health]);
		instance.beginWatching();
		await instance.runNow('monitorHealth');
		expect(health.calls).toHaveLength(1);
		await expect(instance.runNow('nope')).rejects.toThrow('No scheduled task named "nope".');
		await instance.stop();
	});
});
