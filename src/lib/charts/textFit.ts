/** The part of a 2D context that text fitting needs (so it is testable with any canvas). */
export interface TextMeasurer {
	measureText(text: string): { width: number };
}

const ELLIPSIS = '…';

/**
 * Discord names are full of emoji and "fancy font" letters. NFKC folds the fancy letters
 * (mathematical alphanumerics, fullwidth forms) back to plain ones the bundled font has; emoji
 * and their joiners are dropped, since the font has no glyphs for them and they would render as
 * empty boxes. Falls back when nothing drawable is left.
 */
export function cleanLabel(text: string, fallback = '—'): string {
	const cleaned = text
		.normalize('NFKC')
		.replace(/[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u200B-\u200F\u2060\uFE00-\uFE0F\u20E3\u{E0020}-\u{E007F}]/gu, '')
		.replace(/\s+/g, ' ')
		.trim();
	return cleaned.length > 0 ? cleaned : fallback;
}

/** Longest prefix of `text` that fits `maxWidth` with an ellipsis; binary search keeps it O(log n) measurements. */
export function fitText(ctx: TextMeasurer, text: string, maxWidth: number): string {
	if (maxWidth <= 0) return '';
	if (ctx.measureText(text).width <= maxWidth) return text;
	const chars = Array.from(text);
	let low = 0;
	let high = chars.length;
	while (low < high) {
		const mid = Math.ceil((low + high) / 2);
		if (ctx.measureText(chars.slice(0, mid).join('').trimEnd() + ELLIPSIS).width <= maxWidth) low = mid;
		else high = mid - 1;
	}
	return low === 0 ? ELLIPSIS : chars.slice(0, low).join('').trimEnd() + ELLIPSIS;
}
