import type { PeriodChange } from '#lib/charts/ChartSpecs.js';
import { formatNumber } from '#lib/charts/formatNumber.js';

/**
 * The change of a number against the previous period of the same length: "▲ 12 %", "▼ 3 %",
 * "± 0 %", or "new" when the previous period had nothing. Null when there is no previous period
 * (a range from the beginning) or nothing in either period. Growth uses the same rule; a net
 * figure that can be negative is compared against the size of the previous one.
 */
export function periodChange(current: number, previous: number | null | undefined): PeriodChange | null {
	if (previous === null || previous === undefined) return null;
	if (previous === 0) return current === 0 ? null : { text: 'new', direction: 'new' };
	const percent = Math.round(((current - previous) / Math.abs(previous)) * 100);
	if (percent === 0) return { text: '± 0 %', direction: 'flat' };
	return { text: `${percent > 0 ? '▲' : '▼'} ${formatNumber(Math.abs(percent))} %`, direction: percent > 0 ? 'up' : 'down' };
}

/** A summary tile's change, spread into it only when there is one (keeps the spec free of undefined). */
export const withChange = (current: number, previous: number | null | undefined): { change?: PeriodChange } => {
	const change = periodChange(current, previous);
	return change ? { change } : {};
};
