import type { APIEmbed, APIEmbedField } from 'discord.js';
import { MESSAGE_LIMITS } from './messageLimits.js';
import { toPlainData, type PlainValue } from './plainData.js';
import type { Redactor } from './Redactor.js';
import type { ReportEvent, Severity } from './ReportEvent.js';
import { codeSafe, escapeMarkdown, humanize, oneLine, truncate, wellFormed } from './reportText.js';

export const SEVERITY_COLORS: Record<Severity, number> = { CRITICAL: 0xed4245, WARNING: 0xf0a030, INFO: 0x5865f2 };
export const SEVERITY_ICONS: Record<Severity, string> = { CRITICAL: '🔴', WARNING: '🟠', INFO: '🔹' };

/** An event whose title, name and data are redacted and JSON-safe: what we format, spool and attach. */
export interface PlainEvent extends ReportEvent {
	data: Record<string, PlainValue>;
}

/** The `{event, timestamp, data}` wire shape of attachments, plus seq/severity so order can be checked. */
export interface WireEvent {
	seq: number;
	event: string;
	severity: Severity;
	timestamp: string;
	title?: string;
	data: Record<string, PlainValue>;
}

export interface Formatted<T> {
	value: T;
	/** False when something of the event was cut: the batcher then attaches its full JSON. */
	complete: boolean;
}

/** Longest dense line (one INFO event); ~50 such lines fill one message. */
export const LINE_MAX = 240;
const VALUE_MAX = 80;
const SCALAR_FIELD_MAX = 100;
/** Smallest budget `embed()` is guaranteed to work with (title + footer + a little description). */
export const MIN_EMBED_CHARS = 400;

/**
 * Turns report events into readable Discord text. Redaction happens here, lazily, once per event
 * (cached), so enqueue stays O(1) and every string that leaves the process has been through the
 * Redactor. Seq numbers are always visible (`#123` at the start of a line, or the footer) so a
 * reader, or `decodeReportMessage`, can check order and completeness.
 */
export class EventFormatter {
	private readonly cache = new WeakMap<ReportEvent, PlainEvent>();
	private readonly redact: (text: string) => string;

	public constructor(redactor: Redactor) {
		this.redact = (text) => redactor.redact(text);
	}

	public plain(event: ReportEvent): PlainEvent {
		const cached = this.cache.get(event);
		if (cached) return cached;
		const data = toPlainData(event.data ?? {}, this.redact);
		const plain: PlainEvent = {
			seq: event.seq,
			event: wellFormed(this.redact(String(event.event || 'event'))),
			severity: event.severity,
			timestamp: event.timestamp,
			data: data !== null && typeof data === 'object' && !Array.isArray(data) ? data : { value: data }
		};
		if (event.title !== undefined) plain.title = wellFormed(this.redact(String(event.title)));
		if (event.files?.length) plain.files = event.files;
		if (event.attachJson) plain.attachJson = true;
		this.cache.set(event, plain);
		this.cache.set(plain, plain);
		return plain;
	}

	public wire(event: ReportEvent): WireEvent {
		const plain = this.plain(event);
		const wire: WireEvent = { seq: plain.seq, event: plain.event, severity: plain.severity, timestamp: plain.timestamp, data: plain.data };
		if (plain.title !== undefined) wire.title = plain.title;
		return wire;
	}

	/** `#12 `12:00:01` **event.name** title k=v k=v` — one line of a dense INFO embed, at most LINE_MAX. */
	public line(event: ReportEvent): Formatted<string> {
		const plain = this.plain(event);
		const icon = plain.severity === 'INFO' ? '' : `${SEVERITY_ICONS[plain.severity]} `;
		let text = `#${plain.seq} \`${clock(plain.timestamp)}\` ${icon}**${escapeMarkdown(truncate(oneLine(plain.event), 80))}**`;
		let complete = plain.event.length <= 80 && oneLine(plain.event) === plain.event;
		if (plain.title !== undefined) {
			const title = truncate(oneLine(plain.title), VALUE_MAX);
			complete &&= title === plain.title;
			text += ` ${escapeMarkdown(title)}`;
		}
		for (const [key, value] of Object.entries(plain.data)) {
			const shown = scalarText(value);
			const part = ` ${escapeMarkdown(truncate(oneLine(key), 40))}=${shown === undefined ? (Array.isArray(value) ? `[${value.length}]` : '{…}') : escapeMarkdown(truncate(oneLine(shown), VALUE_MAX))}`;
			if (shown === undefined || shown.length > VALUE_MAX || key.length > 40 || oneLine(shown) !== shown || oneLine(key) !== key) complete = false;
			if (text.length + part.length > LINE_MAX - 2) {
				complete = false;
				text += ' …';
				break;
			}
			text += part;
		}
		return { value: truncate(text, LINE_MAX), complete };
	}

	/**
	 * A full embed for one event (WARNING/CRITICAL, or anything carrying files), using at most
	 * `maxChars` of the message's 6000 (at least MIN_EMBED_CHARS). Short scalars become inline
	 * fields, long or multi-line strings (messages, stacks) go to the description, nested values
	 * to compact JSON fields; what does not fit is cut and reported as incomplete.
	 */
	public embed(event: ReportEvent, maxChars: number): Formatted<APIEmbed> {
		const plain = this.plain(event);
		const budget = Math.max(MIN_EMBED_CHARS, maxChars);
		let complete = true;
		const rawTitle = `${SEVERITY_ICONS[plain.severity]} ${oneLine(plain.title ?? humanize(plain.event))}`;
		const title = truncate(rawTitle, Math.min(MESSAGE_LIMITS.title, Math.floor(budget / 4)));
		complete &&= title.length === rawTitle.length;
		const footerName = truncate(oneLine(plain.event), 150);
		const footer = `#${plain.seq} · ${footerName} · ${plain.severity}`;
		complete &&= footerName === plain.event;
		let remaining = budget - title.length - footer.length;

		const blocks: string[] = [];
		const fields: APIEmbedField[] = [];
		for (const [key, value] of Object.entries(plain.data)) {
			const scalar = scalarText(value);
			const isMessage = (key === 'message' || key === 'msg') && typeof value === 'string';
			if (scalar !== undefined && !isMessage && scalar.length <= SCALAR_FIELD_MAX && !/[\r\n]/.test(scalar)) {
				// Discord rejects blank field values; quote blank strings so they stay visible as what they are.
				fields.push({ name: fieldName(key), value: scalar.trim() === '' ? `"${scalar}"` : escapeMarkdown(scalar), inline: true });
				complete &&= key.length <= 256 && key.length > 0;
			} else if (isErrorLike(value)) {
				// Errors read best as their stack; anything else they carry (cause, extra props) travels in the attachment.
				const text = typeof value.stack === 'string' ? value.stack : `${String(value.name ?? 'Error')}: ${String(value.message ?? '')}`;
				const code = value.code === undefined ? '' : ` (${String(value.code)})`;
				blocks.push(`**${escapeMarkdown(oneLine(key))}**${escapeMarkdown(code)}\n\`\`\`\n${fence(text)}\n\`\`\``);
				complete &&= Object.keys(value).every((name) => ERROR_KEYS.has(name));
			} else if (scalar !== undefined) {
				blocks.push(isMessage ? escapeMarkdown(scalar) : `**${escapeMarkdown(oneLine(key))}**\n\`\`\`\n${fence(scalar)}\n\`\`\``);
			} else {
				const json = JSON.stringify(value);
				fields.push({ name: fieldName(key), value: `\`${codeSafe(json)}\``, inline: false });
			}
		}

		const fieldChars = fields.reduce((sum, field) => sum + field.name.length + Math.min(field.value.length, MESSAGE_LIMITS.fieldValue), 0);
		let description = blocks.join('\n');
		const descriptionBudget = Math.min(MESSAGE_LIMITS.description, Math.max(remaining - Math.min(fieldChars, Math.floor(remaining / 2)), Math.floor(remaining / 2)));
		if (description.length > descriptionBudget) {
			description = cutBlocks(description, descriptionBudget);
			complete = false;
		}
		remaining -= description.length;

		const kept: APIEmbedField[] = [];
		for (const field of fields) {
			let value = field.value;
			if (value.length > MESSAGE_LIMITS.fieldValue) {
				value = truncate(value, MESSAGE_LIMITS.fieldValue);
				complete = false;
			}
			if (kept.length >= MESSAGE_LIMITS.fields || field.name.length + value.length > remaining) {
				complete = false;
				continue;
			}
			kept.push({ ...field, value });
			remaining -= field.name.length + value.length;
		}

		const embed: APIEmbed = { title, color: SEVERITY_COLORS[plain.severity], footer: { text: footer }, timestamp: plain.timestamp };
		if (description) embed.description = description;
		if (kept.length) embed.fields = kept;
		return { value: embed, complete };
	}
}

/** `HH:MM:SS` (UTC) of an ISO timestamp; the embed timestamp carries the date. */
function clock(iso: string): string {
	return iso.length >= 19 && iso.charAt(10) === 'T' ? iso.slice(11, 19) : codeSafe(truncate(iso, 24));
}

const ERROR_KEYS = new Set(['name', 'message', 'stack', 'code']);

function isErrorLike(value: PlainValue): value is { [key: string]: PlainValue } {
	return value !== null && typeof value === 'object' && !Array.isArray(value) && (typeof value.stack === 'string' || (typeof value.name === 'string' && typeof value.message === 'string'));
}

function scalarText(value: PlainValue): string | undefined {
	if (value === null) return 'null';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

function fieldName(key: string): string {
	const name = truncate(oneLine(key), MESSAGE_LIMITS.fieldName);
	return name.trim() === '' ? '(empty)' : name;
}

/** Code blocks end at ``` — keep a value's own fences from closing ours. */
function fence(text: string): string {
	return text.replace(/```/g, 'ˋˋˋ');
}

/** Truncates description text made of blocks without leaving a code fence open. */
function cutBlocks(text: string, max: number): string {
	if (max < 8) return truncate(text, max);
	let cut = truncate(text, max - 4);
	if ((cut.match(/```/g)?.length ?? 0) % 2 === 1) cut = `${truncate(text, max - 5)}\n\`\`\``;
	return truncate(cut, max);
}
