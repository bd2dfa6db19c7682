/**
 * Voice seconds as minutes with one decimal: the one rounding every report uses (totals, series,
 * tiles, panels, lists), so a 30-second session reads 0.5 everywhere, never "1" in one place and
 * "0.5" in another.
 */
export function voiceMinutes(seconds: number): number {
	return Math.round(seconds / 6) / 10;
}
