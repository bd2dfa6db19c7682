import { describe, expect, it } from 'vitest';
import { timeAxisTicks } from '#lib/charts/timeAxisTicks.js';
import { zonedParts } from '#lib/charts/zonedTime.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The slow, obviously right answer: one Intl call per instant. */
function viaIntl(ms: number, timeZone: string) {
	const parts: Record<string, number> = {};
	const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
	for (const part of format.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
	return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute };
}

describe('zonedParts', () => {
	// Whole and half/quarter-hour offsets, northern and southern DST, a 30-minute DST shift.
	const zones = ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Africa/Casablanca'];

	it.each(zones)('matches Intl for every 15 minutes of 2024 around the year in %s', (zone) => {
		const instants = Array.from({ length: (366 * DAY) / (15 * 60_000) }, (_, i) => Date.UTC(2024, 0, 1) + i * 15 * 60_000);
		const parts = zonedParts(instants, zone);
		for (let i = 0; i < instants.length; i += 1) {
			const { offsetMinutes: _offset, ...local } = parts[i];
			// Compare every instant near an offset change, a sample elsewhere (Intl is slow).
			const changed = i > 0 && parts[i].offsetMinutes !== parts[i - 1].offsetMinutes;
			if (changed || i % 97 === 0) expect(local, new Date(instants[i]).toISOString()).toEqual(viaIntl(instants[i], zone));
			if (changed) expect(parts.slice(i - 8, i + 8).map((p) => ({ ...p, offsetMinutes: 0 }))).toEqual(instants.slice(i - 8, i + 8).map((ms) => ({ ...viaIntl(ms, zone), offsetMinutes: 0 })));
		}
	});

	it('finds the New York offsets on both sides of the 2024 changes', () => {
		const [before, after] = zonedParts([Date.UTC(2024, 2, 10, 6, 59), Date.UTC(2024, 2, 10, 7)], 'America/New_York');
		expect([before.offsetMinutes, before.hour, after.offsetMinutes, after.hour]).toEqual([-300, 1, -240, 3]);
	});

	it('is correct for instants in any order, and rejects unknown zones', () => {
		const instants = [Date.UTC(2024, 10, 3, 6), Date.UTC(2024, 10, 3, 5), Date.UTC(2024, 2, 10, 7), Date.UTC(2024, 10, 3, 5, 30)];
		expect(zonedParts(instants, 'America/New_York').map((p) => p.hour)).toEqual(instants.map((ms) => viaIntl(ms, 'America/New_York').hour));
		expect(() => zonedParts([0], 'Not/AZone')).toThrow(RangeError);
	});
});

describe('timeAxisTicks', () => {
	const hourly = (days: number, zone: string, start = Date.UTC(2024, 10, 1, 4)) => zonedParts(Array.from({ length: days * 24 }, (_, i) => start + i * HOUR), zone);

	it('puts 24 hours on round 3-hour clock times with the date at midnight', () => {
		const parts = hourly(1, 'America/New_York', Date.UTC(2024, 10, 1, 14)); // 10:00 EDT
		const ticks = timeAxisTicks(parts, 'hour', 10);
		expect(ticks.map((t) => t.label)).toEqual(['12:00', '15:00', '18:00', '21:00', 'Nov 2', '03:00', '06:00', '09:00']);
		for (const tick of ticks) expect(parts[tick.index].hour % 3).toBe(0);
	});

	it('puts a week of hours on local midnights, across the fall-back day', () => {
		const parts = hourly(7, 'America/New_York');
		const ticks = timeAxisTicks(parts, 'hour', 11);
		expect(ticks.map((t) => t.label)).toEqual(['Nov 1', 'Nov 2', 'Nov 3', 'Nov 4', 'Nov 5', 'Nov 6', 'Nov 7']);
		// Nov 3 had 25 hours.
		expect(ticks[3].index - ticks[2].index).toBe(25);
	});

	it('steps through days, weeks (Mondays) and months as the range grows', () => {
		const days = (n: number) => zonedParts(Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 1, 5) + i * DAY), 'America/New_York');
		expect(timeAxisTicks(days(7), 'day', 10)).toHaveLength(7);
		const month = timeAxisTicks(days(30), 'day', 9);
		expect(month.length).toBeLessThanOrEqual(9);
		expect(month.length).toBeGreaterThanOrEqual(5);
		const quarter = timeAxisTicks(days(90), 'day', 9);
		// Every other Monday: 2025-01-06 is a Monday.
		expect(quarter.map((t) => new Date(Date.UTC(2025, 0, 1) + t.index * DAY).getUTCDay())).toEqual(quarter.map(() => 1));
		const year = timeAxisTicks(days(400), 'day', 9);
		// 14 month starts do not fit in 9: every other month, January named by its year.
		expect(year.map((t) => t.label)).toEqual(['2025', 'Mar 1', 'May 1', 'Jul 1', 'Sep 1', 'Nov 1', '2026']);
	});

	it('never returns nothing', () => {
		expect(timeAxisTicks([], 'day', 5)).toEqual([]);
		const one = zonedParts([Date.UTC(2025, 0, 1, 5, 30)], 'UTC');
		expect(timeAxisTicks(one, 'hour', 5).length).toBeGreaterThan(0);
	});
});
