import { HOUR_MS } from './timeBuckets.js';

export type Bucket = 'hour' | 'day';

/** Throws a RangeError unless `timeZone` is an IANA zone Intl knows; returns its canonical name. */
export function canonicalTimeZone(timeZone: string): string {
	return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(timeZone);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric'
		});
		// Zones are a finite IANA set and invalid names throw above, so this cache is bounded.
		formatters.set(timeZone, formatter);
	}
	return formatter;
}

/** Minutes to add to UTC to get local wall-clock time in `timeZone` at instant `ms`. */
export function offsetMinutes(timeZone: string, ms: number): number {
	if (timeZone === 'UTC') return 0;
	const parts = formatterFor(timeZone).formatToParts(ms);
	const get = (type: string) => Number(parts.find((part) => part.type === type)!.value);
	const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
	return Math.round((local - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

interface Segment {
	fromHour: number;
	offset: number;
}

/**
 * Maps UTC epoch hours to buckets in a guild's timezone: the local hour, the local day, the
 * weekday and hour-of-day of the heatmap. Offsets are sampled once a day over the span and
 * each change (DST) is located to the hour by bisection, so building one costs a few Intl
 * calls per day of span and every lookup after that is a small array search.
 *
 * An hour belongs to the local day/hour in which it starts (matters only for zones with
 * half-hour offsets, whose local days begin in the middle of a UTC hour).
 */
export class HourBucketer {
	private readonly segments: Segment[] = [];

	public constructor(
		public readonly timeZone: string,
		fromHour: number,
		toHour: number
	) {
		const offsetAtHour = (hour: number) => offsetMinutes(timeZone, hour * HOUR_MS);
		// A margin on both sides so local days that straddle the span edges resolve too.
		const start = fromHour - 48;
		const end = Math.max(toHour, fromHour + 1) + 48;
		let previousHour = start;
		let previous = offsetAtHour(start);
		this.segments.push({ fromHour: Number.NEGATIVE_INFINITY, offset: previous });
		if (timeZone === 'UTC') return;
		for (let hour = start + 24; ; hour += 24) {
			const sample = Math.min(hour, end);
			const offset = offsetAtHour(sample);
			if (offset !== previous) {
				// First hour in (previousHour, sample] with the new offset; one change per day at most.
				let low = previousHour;
				let high = sample;
				while (high - low > 1) {
					const middle = Math.floor((low + high) / 2);
					if (offsetAtHour(middle) === previous) low = middle;
					else high = middle;
				}
				this.segments.push({ fromHour: high, offset });
				previous = offset;
			}
			previousHour = sample;
			if (sample >= end) break;
		}
	}

	/** Local offset in minutes at the start of `hour`. */
	public offsetAt(hour: number): number {
		const segments = this.segments;
		let low = 0;
		let high = segments.length - 1;
		while (low < high) {
			const middle = (low + high + 1) >> 1;
			if (segments[middle].fromHour <= hour) low = middle;
			else high = middle - 1;
		}
		return segments[low].offset;
	}

	/** The offset segments overlapping hours `[fromHour, toHour)`: each offset holds from its `fromHour` to the next one's. */
	public segmentsIn(fromHour: number, toHour: number): { fromHour: number; offset: number }[] {
		const inside = this.segments.filter((segment, index) => segment.fromHour < toHour && (this.segments[index + 1]?.fromHour ?? Infinity) > fromHour);
		return inside.map((segment, index) => ({ fromHour: index === 0 ? fromHour : segment.fromHour, offset: segment.offset }));
	}

	/** Local wall-clock minutes since the epoch at the start of `hour`. */
	public localMinutes(hour: number): number {
		return hour * 60 + this.offsetAt(hour);
	}

	public localDay(hour: number): number {
		return Math.floor(this.localMinutes(hour) / 1440);
	}

	/** 0-23, the local hour in which `hour` starts. */
	public hourOfDay(hour: number): number {
		const minutes = this.localMinutes(hour);
		return Math.floor((minutes - Math.floor(minutes / 1440) * 1440) / 60);
	}

	/** 0 = Monday ... 6 = Sunday (ISO order); epoch day 0 was a Thursday. */
	public weekday(hour: number): number {
		return (((this.localDay(hour) + 3) % 7) + 7) % 7;
	}

	/** Bucket key of `hour`: the hour itself, or the local day number. */
	public bucketOf(hour: number, bucket: Bucket): number {
		return bucket === 'hour' ? hour : this.localDay(hour);
	}

	/** First UTC hour whose local day is >= `localDay`. */
	public firstHourOfLocalDay(localDay: number): number {
		let hour = Math.ceil((localDay * 1440 - this.offsetAt(localDay * 24)) / 60);
		while (this.localDay(hour - 1) >= localDay) hour -= 1;
		while (this.localDay(hour) < localDay) hour += 1;
		return hour;
	}

	/** UTC hours `[from, to)` of the local day `localDay`. */
	public localDayHours(localDay: number): { from: number; to: number } {
		return { from: this.firstHourOfLocalDay(localDay), to: this.firstHourOfLocalDay(localDay + 1) };
	}

	/** Epoch ms at which a bucket starts (local midnight for days). */
	public bucketStart(key: number, bucket: Bucket): number {
		if (bucket === 'hour') return key * HOUR_MS;
		const firstHour = this.firstHourOfLocalDay(key);
		return (key * 1440 - this.offsetAt(firstHour)) * 60_000;
	}

	/** Every bucket key overlapping hours `[fromHour, toHour)`, in order. */
	public bucketKeys(fromHour: number, toHour: number, bucket: Bucket): number[] {
		if (bucket === 'hour') return Array.from({ length: Math.max(0, toHour - fromHour) }, (_, index) => fromHour + index);
		if (toHour <= fromHour) return [];
		const first = this.localDay(fromHour);
		const last = this.localDay(toHour - 1);
		return Array.from({ length: last - first + 1 }, (_, index) => first + index);
	}
}
