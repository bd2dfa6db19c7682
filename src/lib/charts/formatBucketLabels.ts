export type BucketSize = 'hour' | 'day';

/**
 * Axis labels for time buckets, in the guild's timezone. Buckets are UTC epoch ms starts as stored;
 * a day bucket is expected to start at local midnight of `timeZone` (the store buckets that way).
 * When a DST fall-back repeats an hour ("01:00" twice), the repeated labels get the zone name
 * ("01:00 EDT", "01:00 EST") so the axis never shows two identical ticks for different instants.
 */
export function formatBucketLabels(bucketStartsMs: readonly number[], bucket: BucketSize, timeZone: string, locale = 'en-US'): string[] {
	const format = new Intl.DateTimeFormat(locale, bucketFormat(bucket, timeZone, false));
	const labels = bucketStartsMs.map((ms) => format.format(ms));
	if (bucket === 'day') return labels;

	let zoned: Intl.DateTimeFormat | undefined;
	for (let i = 1; i < labels.length; i++) {
		if (labels[i] !== labels[i - 1]) continue;
		zoned ??= new Intl.DateTimeFormat(locale, bucketFormat(bucket, timeZone, true));
		labels[i - 1] = zoned.format(bucketStartsMs[i - 1]);
		labels[i] = zoned.format(bucketStartsMs[i]);
	}
	return labels;
}

function bucketFormat(bucket: BucketSize, timeZone: string, withZone: boolean): Intl.DateTimeFormatOptions {
	if (bucket === 'day') return { timeZone, month: 'short', day: 'numeric' };
	return {
		timeZone,
		month: 'short',
		day: 'numeric',
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23',
		...(withZone ? { timeZoneName: 'short' } : {})
	};
}
