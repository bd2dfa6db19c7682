import type { APIEmbed, APIEmbedField } from 'discord.js';
import { formatNumber } from '#lib/charts/formatNumber.js';
import type { SummaryItem } from '#lib/charts/ChartSpecs.js';
import type { ReportView } from './reportViews.js';

export const EMBED_COLOR = 0x5865f2;
const FIELD_VALUE_MAX = 1024;
const TITLE_MAX = 256;

/** A summary tile's value as the image shows it ("12,345", "1.2M", "+12", "Thursday"). */
export function summaryValue(item: SummaryItem): string {
	return typeof item.value === 'number' ? formatNumber(item.value) : item.value;
}

/** Lines joined under Discord's field limit; lines that do not fit are counted instead of cut. */
export function fieldLines(lines: readonly string[], max = FIELD_VALUE_MAX): string {
	let out = '';
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].length > 200 ? `${lines[i].slice(0, 199)}…` : lines[i];
		const rest = lines.length - i - 1;
		const suffix = rest > 0 ? `\n… and ${rest} more` : '';
		if ((out ? out.length + 1 : 0) + line.length + suffix.length > max) return `${out}\n… and ${lines.length - i} more`.trim();
		out = out ? `${out}\n${line}` : line;
	}
	return out;
}

export interface ReportEmbedOptions {
	/** The attached PNG's file name (image variant); omitted for the text-only variant. */
	imageName?: string;
	footer?: string;
}

/**
 * The embed of a report: title, range line, and the summary numbers as inline fields (the same
 * numbers as the image's summary strip). With an image it stays short and shows the PNG; the
 * text-only variant adds the top lists and highlights instead.
 */
export function reportEmbed(view: ReportView, options: ReportEmbedOptions = {}): APIEmbed {
	const fields: APIEmbedField[] = view.summary.map((item) => ({ name: item.label, value: `${summaryValue(item) || '–'}${item.change ? ` (${item.change.text})` : ''}`, inline: true }));
	if (!options.imageName) {
		for (const list of view.lists) {
			if (list.lines.length === 0) continue;
			fields.push({ name: list.title, value: fieldLines(list.lines), inline: false });
		}
		if (view.highlights.length > 0) fields.push({ name: 'Highlights', value: fieldLines(view.highlights), inline: false });
	}
	const description = [view.subtitle, view.note ? `*${view.note}*` : null].filter(Boolean).join('\n');
	return {
		title: view.title.length > TITLE_MAX ? `${view.title.slice(0, TITLE_MAX - 1)}…` : view.title,
		description,
		color: EMBED_COLOR,
		fields: fields.slice(0, 25),
		...(options.imageName ? { image: { url: `attachment://${options.imageName}` } } : {}),
		...(options.footer ? { footer: { text: options.footer } } : {})
	};
}

/** Footer that says how the image was made: the e2e tests (and curious users) read it. */
export function renderFooter(image: { cached: boolean; deduped: boolean; renderMs?: number }): string {
	const ms = image.renderMs === undefined ? '' : ` in ${Math.max(1, Math.round(image.renderMs))} ms`;
	if (image.cached) return `From cache (rendered${ms}) · Nexus`;
	if (image.deduped) return `Rendered${ms} (shared with an identical request) · Nexus`;
	return `Rendered${ms} · Nexus`;
}
