/** Small text helpers for report embeds: safe truncation, one-line values, Discord markdown escaping. */

/**
 * Cuts `text` to at most `max` UTF-16 units, ending with `…` when cut. Never splits a surrogate
 * pair and never returns lone surrogates (Discord rejects invalid UTF-16 with 50035).
 */
export function truncate(text: string, max: number): string {
	const clean = wellFormed(text);
	if (clean.length <= max) return clean;
	if (max <= 0) return '';
	if (max === 1) return '…';
	let end = max - 1;
	const code = clean.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end--;
	return `${clean.slice(0, end)}…`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const HAS_SURROGATE = /[\ud800-\udfff]/;

/** Replaces lone surrogates with U+FFFD (String#toWellFormed is ES2024, our lib target is ES2023). */
export function wellFormed(text: string): string {
	return HAS_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '\ufffd') : text;
}

/** Whitespace runs (newlines included) become one space, so a value stays on its line. */
export function oneLine(text: string): string {
	return /\s/.test(text) ? text.replace(/\s+/g, ' ') : text;
}

const MARKDOWN = /[\\`*_~|>[\]]/g;
const HAS_MARKDOWN = /[\\`*_~|>[\]]/;

/** Escapes Discord markdown so event names and values render literally. */
export function escapeMarkdown(text: string): string {
	return HAS_MARKDOWN.test(text) ? text.replace(MARKDOWN, '\\$&') : text;
}

/** Inline code cannot contain backticks; replace them with a look-alike. */
export function codeSafe(text: string): string {
	return text.includes('`') ? text.replace(/`/g, 'ˋ') : text;
}

/** `health.report` -> `Health report`; `alert_memory` -> `Alert memory`. */
export function humanize(event: string): string {
	const words = event.replace(/[._:/-]+/g, ' ').trim();
	return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Event';
}
