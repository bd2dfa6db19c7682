import { DAY_MS, dayOf, formatUtcDay, parseUtcDay } from '#lib/stats/timeBuckets.js';

/** 'YYYY-MM-DD' of an instant, in UTC. */
export const utcDay = (ms: number): string => formatUtcDay(dayOf(ms));

/** `day` moved by `days` (negative = back). */
export const addDays = (day: string, days: number): string => formatUtcDay(parseUtcDay(day) + days);

/** Epoch ms of 00:00 UTC of `day`. */
export const startOfUtcDay = (day: string): number => parseUtcDay(day) * DAY_MS;

export interface MissingDays {
	/** Days to post, oldest first. */
	days: string[];
	/** Older missing days left out because they are beyond the catch-up window. */
	skipped: number;
}

/**
 * The summaries still owed: every day after `last` (the last day posted) up to yesterday, at most
 * `maxDays` of them (the most recent ones; older gaps are reported as skipped, not posted weeks late).
 */
export function missingSummaryDays(last: string, today: string, maxDays: number): MissingDays {
	const first = parseUtcDay(last) + 1;
	const yesterday = parseUtcDay(today) - 1;
	if (first > yesterday) return { days: [], skipped: 0 };
	const total = yesterday - first + 1;
	const from = Math.max(first, yesterday - Math.max(0, maxDays) + 1);
	const days: string[] = [];
	for (let day = from; day <= yesterday; day++) days.push(formatUtcDay(day));
	return { days, skipped: total - days.length };
}
