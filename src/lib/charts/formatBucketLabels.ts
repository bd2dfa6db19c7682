import { zonedParts, type ZonedParts } from './zonedTime.js';

export type BucketSize = 'hour' | 'day';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Mar 10" */
export function formatDay(parts: ZonedParts): string {
	return `${MONTHS[parts.month - 1]} ${parts.day}`;
}

/** "14:00" */
export function formatClock(parts: ZonedParts): string {
	return `${String(parts.hour).padStart(2, '0')}:${String(parts.minute).padStart(2, '0')}`;
}

/**
 * Axis labels for time buckets, in the guild's timezone: "Mar 10" for days, "Mar 10, 14:00" for
 * hours. Buckets are UTC epoch ms starts as stored; a day bucket is expected to start at local
 * midnight of `timeZone`. When a DST fall-back repeats an hour, the repeated labels get the zone
 * name ("01:00 EDT", "01:00 EST") so two instants never share a label.
 */
export function formatBucketLabels(bucketStartsMs: readonly number[], bucket: BucketSize, timeZone: string): string[] {
	return labelsFromParts(zonedParts(bucketStartsMs, timeZone), bucketStartsMs, bucket, timeZone);
}

/** formatBucketLabels for parts already computed by zonedParts(bucketStartsMs, timeZone). */
export function labelsFromParts(parts: readonly ZonedParts[], bucketStartsMs: readonly number[], bucket: BucketSize, timeZone: string): string[] {
	if (bucket === 'day') return parts.map(formatDay);
	const labels = parts.map((p) => `${formatDay(p)}, ${formatClock(p)}`);

	let zoned: Intl.DateTimeFormat | undefined;
	const zoneName = (ms: number) => {
		zoned ??= new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' });
		return zoned.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? '';
	};
	for (let i = 1; i < labels.length; i++) {
		if (labels[i] !== labels[i - 1]) continue;
		labels[i - 1] = `${labels[i - 1]} ${zoneName(bucketStartsMs[i - 1])}`;
		labels[i] = `${labels[i]} ${zoneName(bucketStartsMs[i])}`;
	}
	return labels;
}
