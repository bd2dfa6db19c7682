import { UserError } from '@sapphire/framework';
import { describe, expect, it } from 'vitest';
import { localMidnight, parseSinceDay, reportTimezone, resolveReportOptions, validateReportInput } from '#lib/guildstats/reportOptions.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Wed 2025-06-11 14:20 UTC
const NOW = Date.UTC(2025, 5, 11, 14, 20);

const userError = (fn: () => unknown, pattern: RegExp) => {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(UserError);
		expect((error as UserError).message).toMatch(pattern);
		return;
	}
	throw new Error('expected a UserError');
};

describe('validateReportInput', () => {
	it('fills defaults: the given default range, humans, image', () => {
		expect(validateReportInput({}, { range: '30d' })).toEqual({ range: '30d', since: null, members: 'humans', graphic: 'image' });
		expect(validateReportInput({ range: null, members: null })).toMatchObject({ range: '7d', members: 'humans' });
	});

	it('rejects unknown choices and malformed start days with a UserError', () => {
		userError(() => validateReportInput({ range: '2w' }), /Unknown range `2w`/);
		userError(() => validateReportInput({ members: 'robots' }), /humans, bots or both/);
		userError(() => validateReportInput({ graphic: 'svg' }), /image or text/);
		userError(() => validateReportInput({ since: 'yesterday' }), /YYYY-MM-DD/);
		userError(() => validateReportInput({ since: '2025-02-29' }), /not a calendar day/);
		userError(() => validateReportInput({ since: '2009-01-01' }), /before Discord existed/);
	});

	it('normalises a start day', () => {
		expect(parseSinceDay('2025-3-7')).toEqual({ text: '2025-03-07', year: 2025, month: 3, day: 7 });
		expect(validateReportInput({ since: ' 2024-02-29 ' }).since?.text).toBe('2024-02-29');
	});
});

describe('localMidnight', () => {
	it('is the UTC instant of 00:00 local time, across DST changes', () => {
		expect(localMidnight(2025, 1, 15, 'UTC')).toBe(Date.UTC(2025, 0, 15));
		expect(localMidnight(2025, 1, 15, 'Europe/Berlin')).toBe(Date.UTC(2025, 0, 14, 23));
		// Berlin switches to summer time at 02:00 on Mar 30: that day still starts at 23:00 UTC, the next at 22:00.
		expect(localMidnight(2025, 3, 30, 'Europe/Berlin')).toBe(Date.UTC(2025, 2, 29, 23));
		expect(localMidnight(2025, 3, 31, 'Europe/Berlin')).toBe(Date.UTC(2025, 2, 30, 22));
		expect(localMidnight(2025, 6, 1, 'America/New_York')).toBe(Date.UTC(2025, 5, 1, 4));
		expect(localMidnight(2025, 6, 1, 'Asia/Kolkata')).toBe(Date.UTC(2025, 4, 31, 18, 30));
	});
});

describe('resolveReportOptions', () => {
	const resolve = (input: Parameters<typeof validateReportInput>[0], timezone = 'UTC', now = NOW) => resolveReportOptions(validateReportInput(input), { timezone, now });

	it('ranges end with the current hour and use hourly buckets up to 7 days, daily beyond', () => {
		const end = Date.UTC(2025, 5, 11, 15);
		expect(resolve({ range: '24h' }).options).toEqual({ range: { from: end - DAY, to: end }, bucket: 'hour', timezone: 'UTC', members: 'humans' });
		expect(resolve({ range: '7d' }).options).toMatchObject({ range: { from: end - 7 * DAY, to: end }, bucket: 'hour' });
		expect(resolve({ range: '30d' }).options).toMatchObject({ range: { from: end - 30 * DAY, to: end }, bucket: 'day' });
		expect(resolve({ range: '90d' }).options).toMatchObject({ range: { from: end - 90 * DAY, to: end }, bucket: 'day' });
		expect(resolve({ range: 'all' }).options).toMatchObject({ range: { from: 0, to: end }, bucket: 'day' });
		expect(resolve({ range: '30d' }).rangeLabel).toBe('Last 30 days');
	});

	it('since starts at local midnight of that day in the guild timezone and overrides range', () => {
		const berlin = resolve({ range: '90d', since: '2025-06-08' }, 'Europe/Berlin');
		expect(berlin.options.range.from).toBe(Date.UTC(2025, 5, 7, 22));
		expect(berlin.options.bucket).toBe('hour'); // 3 days and a bit
		expect(berlin.rangeLabel).toBe('Since Jun 8, 2025');
		const utc = resolve({ since: '2025-06-08' }, 'UTC');
		expect(utc.options.range.from).toBe(Date.UTC(2025, 5, 8));
		expect(resolve({ since: '2025-05-01' }).options.bucket).toBe('day');
	});

	it('a start day that has not begun in the guild timezone is refused', () => {
		// 14:20 UTC on Jun 11 is already Jun 12 in Kiritimati (UTC+14), not yet in New York.
		expect(resolve({ since: '2025-06-12' }, 'Pacific/Kiritimati').options.range.from).toBe(Date.UTC(2025, 5, 11, 10));
		userError(() => resolve({ since: '2025-06-12' }, 'America/New_York'), /has not started yet in America\/New_York/);
	});

	it('timezone, members and range go into the query options; stored zones are made canonical', () => {
		const resolved = resolve({ range: '7d', members: 'bots' }, reportTimezone('europe/berlin'));
		expect(resolved.options.timezone).toBe('Europe/Berlin');
		expect(resolved.options.members).toBe('bots');
		expect(resolved.membersLabel).toBe('Bots only');
		// A zone that stopped being valid falls back to UTC rather than failing every report.
		expect(reportTimezone('Not/AZone')).toBe('UTC');
	});

	it('cache key options are equal within an hour and change with the hour, range, members or timezone', () => {
		const key = (input: Parameters<typeof validateReportInput>[0], timezone = 'UTC', now = NOW) => JSON.stringify(resolve(input, timezone, now).keyOptions);
		expect(key({ range: '7d' })).toBe(key({ range: '7d' }, 'UTC', NOW + 30 * 60_000));
		expect(key({ range: '7d' })).not.toBe(key({ range: '7d' }, 'UTC', NOW + HOUR));
		expect(key({ range: '7d' })).not.toBe(key({ range: '30d' }));
		expect(key({ range: '7d' })).not.toBe(key({ range: '7d', members: 'both' }));
		expect(key({ range: '7d' })).not.toBe(key({ range: '7d' }, 'Europe/Berlin'));
		expect(key({ since: '2025-06-01' })).not.toBe(key({ since: '2025-06-02' }));
		expect(key({ graphic: 'text' })).toBe(key({ graphic: 'image' }));
	});
});
