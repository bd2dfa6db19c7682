/** Axis ticks and bar ends: 950, 1.2k, 12k, 1.2M. Short enough never to collide on a tick. */
export function formatCompact(value: number): string {
	if (!Number.isFinite(value)) return '–';
	const sign = value < 0 ? '-' : '';
	const abs = Math.abs(value);
	if (abs < 1000) return sign + trimDecimals(abs, abs < 10 && !Number.isInteger(abs) ? 1 : 0);
	const units = ['k', 'M', 'B', 'T'];
	let unit = Math.min(Math.floor(Math.log10(abs) / 3), units.length) - 1;
	let text = shortScaled(abs / 1000 ** (unit + 1));
	// 999,950 rounds to "1000k": say "1M" instead.
	if (Number(text) >= 1000 && unit < units.length - 1) text = shortScaled(abs / 1000 ** (++unit + 1));
	return sign + text + units[unit];
}

function shortScaled(scaled: number): string {
	return trimDecimals(scaled, scaled < 100 ? 1 : 0);
}

// Built once: toLocaleString() constructs a new Intl.NumberFormat on every call (~0.1 ms each),
// which adds up to milliseconds of main-thread time per chart.
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** Summary tiles: exact with grouping (12,345) up to a million, compact beyond. */
export function formatNumber(value: number): string {
	if (!Number.isFinite(value)) return '–';
	if (Math.abs(value) >= 1e6) return formatCompact(value);
	return grouped.format(value);
}

function trimDecimals(value: number, decimals: number): string {
	const text = value.toFixed(decimals);
	return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
