import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, HourBucketer, offsetMinutes } from '#lib/stats/HourBucketer.js';
import { formatUtcDay, hourOf, parseUtcDay, planRange, rangeHours } from '#lib/stats/timeBuckets.js';

const H = 3_600_000;
const D = 24 * H;

describe('planRange', () => {
	const day = 20_000; // an epoch day
	it('reads whole days from daily rows and only the partial edges from hourly rows', () => {
		const range = { from: (day * 24 + 5) * H + 123, to: (day + 10) * D + 7 * H + 1 };
		const plan = planRange(range, 0);
		expect(plan.days).toEqual({ fromDay: day + 1, toDay: day + 10 });
		expect(plan.hours).toEqual([
			{ from: day * 24 + 5, to: (day + 1) * 24 },
			{ from: (day + 10) * 24, to: (day + 10) * 24 + 8 }
		]);
	});

	it('covers every hour exactly once', () => {
		for (const [fromOffset, length] of [
			[0, 24],
			[3, 5],
			[23, 2],
			[0, 24 * 9],
			[7, 24 * 30 + 5]
		]) {
			const fromHour = day * 24 + fromOffset;
			const plan = planRange({ from: fromHour * H, to: (fromHour + length) * H }, 0);
			const covered: number[] = [];
			if (plan.days) for (let d = plan.days.fromDay; d < plan.days.toDay; d++) for (let h = 0; h < 24; h++) covered.push(d * 24 + h);
			for (const span of plan.hours) for (let h = span.from; h < span.to; h++) covered.push(h);
			covered.sort((a, b) => a - b);
			expect(covered).toEqual(Array.from({ length }, (_, i) => fromHour + i));
		}
	});

	it('reads a pruned edge from its whole day', () => {
		const floorHour = (day + 5) * 24;
		const plan = planRange({ from: (day * 24 + 5) * H, to: (day + 10) * D + 3 * H }, floorHour);
		expect(plan.days).toEqual({ fromDay: day, toDay: day + 10 });
		expect(plan.hours).toEqual([{ from: (day + 10) * 24, to: (day + 10) * 24 + 3 }]);
		const short = planRange({ from: (day * 24 + 5) * H, to: (day * 24 + 9) * H }, floorHour);
		expect(short).toEqual({ days: { fromDay: day, toDay: day + 1 }, hours: [] });
	});

	it('counts a partly covered hour as in range, and rejects empty ranges', () => {
		expect(rangeHours({ from: 10 * H + 1, to: 12 * H + 1 })).toEqual({ fromHour: 10, toHour: 13 });
		expect(() => rangeHours({ from: 5, to: 5 })).toThrow(RangeError);
	});

	it('parses and formats UTC days', () => {
		expect(formatUtcDay(parseUtcDay('2026-03-29'))).toBe('2026-03-29');
		expect(() => parseUtcDay('2026-02-30')).toThrow(RangeError);
		expect(hourOf(Date.UTC(2026, 0, 1, 5, 59))).toBe(Date.UTC(2026, 0, 1, 5) / H);
	});
});

describe('HourBucketer', () => {
	it('knows offsets, including DST and half-hour zones', () => {
		expect(offsetMinutes('Europe/Berlin', Date.UTC(2026, 0, 15))).toBe(60);
		expect(offsetMinutes('Europe/Berlin', Date.UTC(2026, 6, 15))).toBe(120);
		expect(offsetMinutes('Asia/Kolkata', Date.UTC(2026, 6, 15))).toBe(330);
		expect(offsetMinutes('America/New_York', Date.UTC(2026, 6, 15))).toBe(-240);
		expect(() => canonicalTimeZone('Mars/Olympus')).toThrow(RangeError);
	});

	it('locates the DST change to the hour', () => {
		// Europe/Berlin springs forward on 2026-03-29 at 01:00 UTC (02:00 -> 03:00 local).
		const change = Date.UTC(2026, 2, 29, 1) / H;
		const bucketer = new HourBucketer('Europe/Berlin', change - 24 * 10, change + 24 * 10);
		expect(bucketer.offsetAt(change - 1)).toBe(60);
		expect(bucketer.offsetAt(change)).toBe(120);
		// That local day has 23 hours.
		const localDay = bucketer.localDay(change);
		const span = bucketer.localDayHours(localDay);
		expect(span.to - span.from).toBe(23);
		expect(bucketer.bucketStart(localDay, 'day')).toBe(Date.UTC(2026, 2, 28, 23));
		expect(bucketer.hourOfDay(change)).toBe(3);
	});

	it('maps hours to local days, hours of day and ISO weekdays', () => {
		const tokyo = new HourBucketer('Asia/Tokyo', Date.UTC(2026, 0, 1) / H, Date.UTC(2026, 0, 10) / H);
		const hour = Date.UTC(2026, 0, 4, 16) / H; // Mon 2026-01-05 01:00 in Tokyo
		expect(tokyo.hourOfDay(hour)).toBe(1);
		expect(tokyo.weekday(hour)).toBe(0);
		expect(tokyo.bucketStart(tokyo.localDay(hour), 'day')).toBe(Date.UTC(2026, 0, 4, 15));
		const kolkata = new HourBucketer('Asia/Kolkata', Date.UTC(2026, 0, 1) / H, Date.UTC(2026, 0, 10) / H);
		// 18:00 UTC = 23:30 local: still that local day; 19:00 UTC = 00:30 next day.
		const h18 = Date.UTC(2026, 0, 4, 18) / H;
		expect(kolkata.localDay(h18 + 1) - kolkata.localDay(h18)).toBe(1);
		expect(kolkata.hourOfDay(h18)).toBe(23);
		expect(kolkata.bucketStart(kolkata.localDay(h18 + 1), 'day')).toBe(Date.UTC(2026, 0, 4, 18, 30));
	});

	it('lists bucket keys covering a span', () => {
		const start = Date.UTC(2026, 0, 1) / H;
		const utc = new HourBucketer('UTC', start, start + 72);
		expect(utc.bucketKeys(start + 5, start + 50, 'day')).toEqual([start / 24, start / 24 + 1, start / 24 + 2]);
		expect(utc.bucketKeys(start, start + 3, 'hour')).toEqual([start, start + 1, start + 2]);
		expect(utc.segmentsIn(start, start + 72)).toEqual([{ fromHour: start, offset: 0 }]);
	});
});
