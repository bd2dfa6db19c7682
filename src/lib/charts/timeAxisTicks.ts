import { formatClock, formatDay, type BucketSize } from './formatBucketLabels.js';
import type { ZonedParts } from './zonedTime.js';

export interface AxisTick {
	/** Bucket index on the x axis. */
	index: number;
	label: string;
}

const HOUR_STEPS = [1, 2, 3, 4, 6, 12];
const DAY_STEPS = [1, 2, 3, 5, 7, 14];
/** 1970-01-05, day 4 since the epoch, was a Monday: weekly ticks fall on Mondays. */
const MONDAY = 4;

/**
 * Ticks on round local times rather than every n-th bucket: hours on multiples of 1-12 h with the
 * date at midnight ("Nov 2", "06:00", "12:00", ...), days every 1-14 days, then month starts.
 * At most `maxTicks` ticks; short labels, so they never collide.
 */
export function timeAxisTicks(parts: readonly ZonedParts[], bucket: BucketSize, maxTicks: number): AxisTick[] {
	if (parts.length === 0) return [];
	const limit = Math.max(2, maxTicks);
	const pick = (keep: (p: ZonedParts, i: number) => boolean) => parts.flatMap((p, i) => (keep(p, i) ? [i] : []));

	if (bucket === 'hour') {
		for (const step of HOUR_STEPS) {
			const indexes = pick((p) => p.minute === 0 && p.hour % step === 0);
			if (indexes.length <= limit && indexes.length > 0) return indexes.map((index) => ({ index, label: parts[index].hour === 0 ? formatDay(parts[index]) : formatClock(parts[index]) }));
		}
	}
	// Days (and hours spanning too many days for clock ticks): midnights, every n-th day.
	const midnights = bucket === 'hour' ? pick((p) => p.hour === 0 && p.minute === 0) : parts.map((_, i) => i);
	const dayNumber = (p: ZonedParts) => Math.floor(Date.UTC(p.year, p.month - 1, p.day) / 86_400_000);
	for (const step of DAY_STEPS) {
		// Anchored to the calendar, not the range start, so ticks stay put as the range moves.
		const indexes = midnights.filter((i) => (dayNumber(parts[i]) - MONDAY) % step === 0);
		if (indexes.length <= limit && indexes.length > 0) return indexes.map((index) => ({ index, label: formatDay(parts[index]) }));
	}
	for (const months of [1, 2, 3, 6, 12]) {
		const indexes = midnights.filter((i) => parts[i].day === 1 && (parts[i].month - 1) % months === 0);
		if (indexes.length <= limit && indexes.length > 0) {
			return indexes.map((index) => ({ index, label: parts[index].month === 1 ? String(parts[index].year) : formatDay(parts[index]) }));
		}
	}
	// Whatever the range, never nothing: first and last bucket.
	return [0, parts.length - 1].map((index) => ({ index, label: formatDay(parts[index]) }));
}
