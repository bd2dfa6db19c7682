import { describe, expect, it } from 'vitest';
import { addDays, missingSummaryDays, startOfUtcDay, utcDay } from '#lib/reporting/summaryDays.js';
import { spoolDirFor } from '#lib/reporting/spoolDirFor.js';

describe('summary days', () => {
	it('utcDay / addDays / startOfUtcDay work in UTC across month and year ends', () => {
		expect(utcDay(Date.UTC(2026, 0, 1, 0, 0, 0))).toBe('2026-01-01');
		expect(utcDay(Date.UTC(2025, 11, 31, 23, 59, 59, 999))).toBe('2025-12-31');
		expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
		expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
		expect(startOfUtcDay('2026-11-23')).toBe(Date.UTC(2026, 10, 23));
	});

	it('owes every day after the last posted one up to yesterday', () => {
		expect(missingSummaryDays('2026-11-22', '2026-11-23', 7)).toEqual({ days: [], skipped: 0 });
		expect(missingSummaryDays('2026-11-23', '2026-11-23', 7)).toEqual({ days: [], skipped: 0 });
		expect(missingSummaryDays('2026-11-21', '2026-11-23', 7)).toEqual({ days: ['2026-11-22'], skipped: 0 });
		expect(missingSummaryDays('2026-11-19', '2026-11-23', 7)).toEqual({ days: ['2026-11-20', '2026-11-21', '2026-11-22'], skipped: 0 });
	});

	it('posts at most maxDays (the most recent) and counts the rest as skipped', () => {
		const { days, skipped } = missingSummaryDays('2026-10-31', '2026-11-23', 7);
		expect(days).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
		expect(skipped).toBe(15);
	});
});

describe('spoolDirFor', () => {
	it('keeps the configured dir unsharded and gives each shard process its own', () => {
		expect(spoolDirFor('./data/spool', undefined)).toBe('./data/spool');
		expect(spoolDirFor('./data/spool', '')).toBe('./data/spool');
		expect(spoolDirFor('/var/spool', '3')).toBe('/var/spool/shard-3');
		expect(spoolDirFor('/var/spool', '[4,5]')).toBe('/var/spool/shard-4');
		expect(spoolDirFor('/var/spool', 'garbage')).toBe('/var/spool/shard-0');
	});
});
