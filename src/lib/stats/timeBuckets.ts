/**
 * Time in the statistics store is counted in whole UTC hours and days since the Unix epoch
 * (`hour = floor(ms / 3_600_000)`, `day = floor(hour / 24)`): small integers that index well on
 * both dialects and never need timezone handling at write time. Guild timezones are applied
 * when reports bucket the hours (see HourBucketer.ts).
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);
export const dayOfHour = (hour: number): number => Math.floor(hour / 24);
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** `'2026-11-23'` -> epoch day number; throws on anything else. */
export function parseUtcDay(day: string): number {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!match) throw new RangeError(`not a YYYY-MM-DD day: ${day}`);
	const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
	if (new Date(ms).toISOString().slice(0, 10) !== day) throw new RangeError(`not a calendar day: ${day}`);
	return ms / DAY_MS;
}

export const formatUtcDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

export interface TimeRange {
	/** Inclusive start, epoch ms. */
	from: number;
	/** Exclusive end, epoch ms. */
	to: number;
}

/** Hours `[fromHour, toHour)` that overlap the range: a partly covered hour counts as in range. */
export function rangeHours(range: TimeRange): { fromHour: number; toHour: number } {
	if (!(range.to > range.from)) throw new RangeError('range.to must be after range.from');
	return { fromHour: hourOf(range.from), toHour: Math.ceil(range.to / HOUR_MS) };
}

/**
 * How to read a range from the two granularities. Daily rows are written together with hourly
 * rows, so whole UTC days can be read from the (much smaller) daily tables and only the partial
 * days at the edges from the hourly tables. Hourly rows older than `floorHour` (a day boundary) were
 * pruned; an edge that falls there is read from its whole day (the best resolution left).
 */
export interface RangePlan {
	/** Whole days `[fromDay, toDay)` read from daily tables, or null. */
	days: { fromDay: number; toDay: number } | null;
	/** Hour spans `[from, to)` read from hourly tables (0-2 of them). */
	hours: { from: number; to: number }[];
}

export function planRange(range: TimeRange, floorHour: number): RangePlan {
	const { fromHour, toHour } = rangeHours(range);
	let dayFrom = Math.ceil(fromHour / 24);
	let dayTo = Math.floor(toHour / 24);
	const hours: { from: number; to: number }[] = [];
	if (dayFrom >= dayTo) {
		// Less than one whole day: hourly only, unless that part was pruned.
		if (fromHour >= floorHour) return { days: null, hours: [{ from: fromHour, to: toHour }] };
		if (toHour > floorHour) hours.push({ from: floorHour, to: toHour });
		return { days: { fromDay: dayOfHour(fromHour), toDay: Math.ceil(Math.min(toHour, floorHour) / 24) }, hours };
	}
	if (fromHour < dayFrom * 24) {
		if (fromHour >= floorHour) hours.push({ from: fromHour, to: dayFrom * 24 });
		else dayFrom -= 1; // pruned edge: take its whole day
	}
	if (toHour > dayTo * 24) {
		if (dayTo * 24 >= floorHour) hours.push({ from: dayTo * 24, to: toHour });
		else dayTo += 1;
	}
	return { days: { fromDay: dayFrom, toDay: dayTo }, hours };
}
