import type { APIEmbed } from 'discord.js';
import type { WireEvent } from './EventFormatter.js';

export interface DecodedEvent {
	seq: number;
	/** Event name as shown (dense lines and embed footers). */
	event?: string;
	/** The full event when the message attached it as JSON. */
	wire?: WireEvent;
}

const DENSE_LINE = /^#(\d+) `[^`]*` (?:\S+ )?\*\*((?:\\.|[^*\\])*)\*\*/;
const FOOTER = /^#(\d+) · (.*) · (?:CRITICAL|WARNING|INFO)$/;

/**
 * The events a report message carries, in order, deduplicated by seq: reads dense lines, the
 * footer of single-event embeds and the JSON attachments. For tests, the demo and operators
 * checking a channel for completeness; the inverse of ChannelBatcher.pack.
 */
export function decodeReportMessage(body: { embeds?: APIEmbed[] }, files: readonly { name: string; data: Buffer | string }[] = []): DecodedEvent[] {
	const out = new Map<number, DecodedEvent>();
	for (const embed of body.embeds ?? []) {
		const footer = embed.footer?.text;
		if (footer === undefined) {
			for (const line of (embed.description ?? '').split('\n')) {
				const match = DENSE_LINE.exec(line);
				if (match && !out.has(Number(match[1]))) out.set(Number(match[1]), { seq: Number(match[1]), event: match[2]!.replace(/\\(.)/g, '$1') });
			}
		} else {
			const match = FOOTER.exec(footer);
			if (match && !out.has(Number(match[1]))) out.set(Number(match[1]), { seq: Number(match[1]), event: match[2] });
		}
	}
	for (const file of files) {
		if (!/^events?-[\d-]+\.json$/.test(file.name)) continue;
		const parsed = JSON.parse(typeof file.data === 'string' ? file.data : file.data.toString('utf8')) as WireEvent | WireEvent[];
		for (const wire of Array.isArray(parsed) ? parsed : [parsed]) {
			const known = out.get(wire.seq);
			if (known) known.wire = wire;
			else out.set(wire.seq, { seq: wire.seq, event: wire.event, wire });
		}
	}
	return [...out.values()];
}
