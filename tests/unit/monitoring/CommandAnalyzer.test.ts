import { describe, expect, it } from 'vitest';
import { CommandAnalyzer } from '#lib/monitoring/CommandAnalyzer.js';
import { CommandTracker, type CommandExecution } from '#lib/monitoring/CommandTracker.js';

function clock(start = 1_000_000) {
	let now = start;
	return { now: () => now, advance: (ms: number) => (now += ms) };
}

class ChartError extends Error {
	public override name = 'ChartError';
}

describe('CommandTracker + CommandAnalyzer', () => {
	it('summarises runs, failures, success rate, average, p95, slowest and error types', () => {
		const time = clock();
		const seen: CommandExecution[] = [];
		const tracker = new CommandTracker({ now: time.now, onExecution: (execution) => seen.push(execution) });
		// /guildstats: 20 runs of 100..2000 ms, 2 failures (one typed error, one UserError-like identifier).
		for (let index = 1; index <= 20; index++) {
			tracker.begin({ id: `g${index}`, command: 'guildstats', category: 'stats', guildId: '111111111111111111', channelId: '222222222222222222', userId: `3333333333333333${index}` });
			time.advance(index * 100);
			const failed = index === 7 || index === 13;
			tracker.finish(`g${index}`, { success: !failed, error: index === 7 ? new ChartError('canvas exploded') : index === 13 ? { type: 'rangeTooLong', message: 'Pick at most 365 days' } : undefined });
		}
		// /nexus: 4 quick runs recorded with the framework's durations, one failure.
		for (const [index, duration] of [10, 20, 30, 40].entries()) {
			tracker.record({ id: `n${index}`, command: 'nexus', category: 'admin', durationMs: duration, success: index !== 3, error: index === 3 ? new TypeError('x is undefined') : undefined });
		}

		const analysis = new CommandAnalyzer({ slowest: 2 }).analyze(tracker.takeWindow());
		const guildstats = analysis.commands.find((entry) => entry.command === 'guildstats')!;
		expect(guildstats).toMatchObject({ category: 'stats', runs: 20, failures: 2, successRate: 90, avgMs: 1050, p95Ms: 1900, maxMs: 2000 });
		expect(guildstats.errorTypes).toEqual({ ChartError: 1, rangeTooLong: 1 });
		const nexus = analysis.commands.find((entry) => entry.command === 'nexus')!;
		expect(nexus).toMatchObject({ runs: 4, failures: 1, successRate: 75, avgMs: 25, p95Ms: 40 });

		expect(analysis.totals).toMatchObject({ runs: 24, failures: 3, maxMs: 2000 });
		expect(analysis.totals.successRate).toBeCloseTo(87.5);
		expect(analysis.totals.avgMs).toBeCloseTo((21_000 + 100) / 24);
		expect(analysis.categories.map((category) => [category.category, category.runs, category.failures])).toEqual([
			['stats', 20, 2],
			['admin', 4, 1]
		]);
		expect(analysis.slowest.map((entry) => entry.command)).toEqual(['guildstats', 'nexus']);
		expect(analysis.errorTypes.map((entry) => [entry.type, entry.count])).toEqual([
			['ChartError', 1],
			['rangeTooLong', 1],
			['TypeError', 1]
		]);
		expect(analysis.recentErrors.map((entry) => entry.message)).toEqual(['canvas exploded', 'Pick at most 365 days', 'x is undefined']);

		// Ids only, as given; durations measured by the tracker's clock.
		expect(seen[0]).toMatchObject({ command: 'guildstats', durationMs: 100, userId: '33333333333333331', guildId: '111111111111111111', success: true });
		expect(seen[6]).toMatchObject({ success: false, errorType: 'ChartError', errorMessage: 'canvas exploded' });
		expect(tracker.commandsServed).toBe(24);
		expect(tracker.totals()).toEqual({ guildstats: { runs: 20, failures: 2 }, nexus: { runs: 4, failures: 1 } });
	});

	it('starts a new window after takeWindow but keeps lifetime totals', () => {
		const tracker = new CommandTracker();
		tracker.record({ id: 'a', command: 'nexus', durationMs: 5, success: true });
		expect(tracker.takeWindow().commands).toHaveLength(1);
		const empty = new CommandAnalyzer().analyze(tracker.takeWindow());
		expect(empty.commands).toEqual([]);
		expect(empty.totals).toMatchObject({ runs: 0, successRate: 100, p95Ms: 0 });
		expect(tracker.totals().nexus.runs).toBe(1);
	});

	it('ignores a finish without a begin and tracks commands still running', () => {
		const time = clock();
		const tracker = new CommandTracker({ now: time.now });
		expect(tracker.finish('nope', { success: true })).toBeUndefined();
		tracker.begin({ id: 'slow', command: 'guildstats' });
		time.advance(4000);
		expect(tracker.inFlight()).toEqual({ count: 1, oldestMs: 4000 });
		tracker.finish('slow', { success: true });
		expect(tracker.inFlight().count).toBe(0);
	});

	it('keeps memory bounded: 10k users and 500 command names do not grow the structures', () => {
		const tracker = new CommandTracker({ maxCommands: 50, recentCapacity: 100, durationsPerCommand: 64, maxInFlight: 100 });
		for (let index = 0; index < 10_000; index++) {
			tracker.begin({ id: `i${index}`, command: `cmd${index % 500}`, userId: String(100_000_000_000_000_000n + BigInt(index)) });
			if (index % 2 === 0) tracker.finish(`i${index}`, { success: index % 3 !== 0, error: new Error(`failure ${index}`) });
		}
		const window = tracker.peekWindow();
		expect(window.commands.length).toBeLessThanOrEqual(51);
		expect(window.commands.some((entry) => entry.command === 'other')).toBe(true);
		expect(Math.max(...window.commands.map((entry) => entry.durations.length))).toBeLessThanOrEqual(64);
		expect(tracker.recentExecutions()).toHaveLength(100);
		expect(tracker.inFlight().count).toBeLessThanOrEqual(100);
		expect(Object.keys(tracker.totals()).length).toBeLessThanOrEqual(51);
		expect(window.recentErrors.length).toBeLessThanOrEqual(20);
	});

	it("users' mistakes are answered runs: 100% success, counted by identifier over the window", () => {
		const time = clock();
		const tracker = new CommandTracker({ now: time.now });
		for (let index = 0; index < 3; index++) {
			tracker.begin({ id: `t${index}`, command: 'guildstats settings timezone', category: 'guildstats' });
			tracker.finish(`t${index}`, { success: true, userMistake: 'GuildStatsInvalidTimezone', durationMs: 4 });
		}
		tracker.record({ id: 'm1', command: 'nexus health', durationMs: 0, success: true, userMistake: 'OwnerOnly' });
		tracker.record({ id: 'm2', command: 'guildstats server', durationMs: 0, success: true, userMistake: 'GuildStatsInvalidTimezone' });
		const analysis = new CommandAnalyzer().analyze(tracker.takeWindow());
		expect(analysis.totals).toMatchObject({ runs: 5, failures: 0, successRate: 100 });
		expect(analysis.errorTypes).toEqual([]);
		expect(analysis.userMistakes).toEqual([
			{ identifier: 'GuildStatsInvalidTimezone', count: 4, commands: ['guildstats settings timezone', 'guildstats server'] },
			{ identifier: 'OwnerOnly', count: 1, commands: ['nexus health'] }
		]);
		// The next window starts empty.
		expect(new CommandAnalyzer().analyze(tracker.takeWindow()).userMistakes).toEqual([]);
	});
});
