import { describe, expect, it } from 'vitest';
import { formatBucketLabels } from '#lib/charts/formatBucketLabels.js';

const HOUR = 3_600_000;

describe('formatBucketLabels', () => {
	it('labels hourly buckets in the guild timezone across the spring-forward gap (America/New_York)', () => {
		// 2024-03-10 00:00 EST = 05:00Z; at 02:00 local the clocks jump to 03:00 EDT.
		const starts = Array.from({ length: 5 }, (_, i) => Date.UTC(2024, 2, 10, 5) + i * HOUR);
		expect(formatBucketLabels(starts, 'hour', 'America/New_York')).toEqual(['Mar 10, 00:00', 'Mar 10, 01:00', 'Mar 10, 03:00', 'Mar 10, 04:00', 'Mar 10, 05:00']);
		// The same instants in UTC, for contrast.
		expect(formatBucketLabels(starts, 'hour', 'UTC')[0]).toBe('Mar 10, 05:00');
	});

	it('tells the repeated fall-back hour apart with the zone name', () => {
		// 2024-11-03 00:00 EDT = 04:00Z; 01:00 happens twice (EDT, then EST).
		const starts = Array.from({ length: 4 }, (_, i) => Date.UTC(2024, 10, 3, 4) + i * HOUR);
		expect(formatBucketLabels(starts, 'hour', 'America/New_York')).toEqual(['Nov 3, 00:00', 'Nov 3, 01:00 EDT', 'Nov 3, 01:00 EST', 'Nov 3, 02:00']);
	});

	it('labels day buckets that start at local midnight, including the 23- and 25-hour days', () => {
		const midnights = [Date.UTC(2024, 2, 9, 5), Date.UTC(2024, 2, 10, 5), Date.UTC(2024, 2, 11, 4), Date.UTC(2024, 10, 3, 4), Date.UTC(2024, 10, 4, 5)];
		expect(formatBucketLabels(midnights, 'day', 'America/New_York')).toEqual(['Mar 9', 'Mar 10', 'Mar 11', 'Nov 3', 'Nov 4']);
		// Read in UTC, the first of those midnights is still the 9th but a Tokyo reader is on the 9th at 14:00.
		expect(formatBucketLabels([Date.UTC(2024, 2, 9, 5)], 'day', 'Asia/Tokyo')).toEqual(['Mar 9']);
		expect(formatBucketLabels([Date.UTC(2024, 2, 9, 20)], 'day', 'Asia/Tokyo')).toEqual(['Mar 10']);
	});

	it('handles empty input and rejects an unknown timezone', () => {
		expect(formatBucketLabels([], 'day', 'Europe/Paris')).toEqual([]);
		expect(() => formatBucketLabels([0], 'day', 'Mars/Olympus')).toThrow(RangeError);
	});
});
