import type { APIEmbed } from 'discord.js';
import { MIN_EMBED_CHARS, SEVERITY_COLORS, SEVERITY_ICONS, type EventFormatter, type WireEvent } from './EventFormatter.js';
import { embedChars, MESSAGE_LIMITS, type MessageBody, type OutgoingFile } from './messageLimits.js';
import type { ReportEvent, Severity } from './ReportEvent.js';
import { escapeMarkdown, truncate } from './reportText.js';

/** Read access to the head of a queue; arrays qualify, so does EventQueue. */
export interface EventSource {
	readonly length: number;
	at(index: number): ReportEvent | undefined;
}

export interface PackedMessage {
	body: MessageBody;
	files: OutgoingFile[];
	/** The events this message carries, in queue order: drop exactly these from the source once sent. */
	events: ReportEvent[];
	/** True for a digest (summary embed + every event in the JSON attachment). */
	digest: boolean;
	/** Caller files that could never be sent (each alone above the per-message byte limit). */
	droppedFiles: number;
}

export interface ChannelBatcherOptions {
	/** From this many queued events on, pack a digest instead of dense lines (a backlog drains in few calls). */
	digestThreshold?: number;
	/** Most events in one digest attachment. */
	maxDigestEvents?: number;
	/** Byte budget of all files of one message; defaults to Discord's 8 MiB minus a margin for multipart overhead. */
	maxFileBytes?: number;
}

const DIGEST_PREVIEW_CHARS = 3000;
/** Bytes of JSON kept from a single payload too big for a whole message. */
const TRUNCATED_PREVIEW_BYTES = 64 * 1024;

/**
 * Packs queued events into the fewest Discord messages that break no limit, whatever the events
 * contain. One call packs the next message from the head of the queue and always takes at least
 * one event, so a caller draining a queue always makes progress.
 *
 * Layout: INFO events are lines in dense embeds (~50 per message); WARNING/CRITICAL events and
 * events with files get an embed each; a backlog (>= digestThreshold events) goes out as a digest:
 * one summary embed with the first lines, and every event in full in a `.json` attachment. Any
 * event that is not shown in full in the embeds also goes into the attachment, in the
 * `{seq, event, timestamp, data}` wire shape, so nothing is lost to truncation.
 */
export class ChannelBatcher {
	private readonly digestThreshold: number;
	private readonly maxDigestEvents: number;
	private readonly maxFileBytes: number;

	public constructor(
		private readonly formatter: EventFormatter,
		options: ChannelBatcherOptions = {}
	) {
		this.digestThreshold = options.digestThreshold ?? 200;
		this.maxDigestEvents = options.maxDigestEvents ?? 5000;
		this.maxFileBytes = Math.min(options.maxFileBytes ?? MESSAGE_LIMITS.fileBytes - 256 * 1024, MESSAGE_LIMITS.fileBytes);
	}

	/**
	 * The next message from the head of `source`, or null when it is empty. `label` names the channel
	 * in digests; `digestThreshold` overrides the configured one (critical floods digest sooner).
	 */
	public pack(source: EventSource, label = 'Report', digestThreshold = this.digestThreshold): PackedMessage | null {
		const first = source.at(0);
		if (!first) return null;
		if (source.length >= digestThreshold && !first.files?.length) return this.packDigest(source, label);
		return this.packDetailed(source);
	}

	private packDetailed(source: EventSource): PackedMessage {
		const embeds: APIEmbed[] = [];
		const files: OutgoingFile[] = [];
		const events: ReportEvent[] = [];
		const attached: string[] = [];
		const attachedEvents: ReportEvent[] = [];
		let chars = 0;
		let fileBytes = 0;
		let attachBytes = 2;
		let dense: APIEmbed | undefined;
		let droppedFiles = 0;

		for (let index = 0; index < source.length; index++) {
			const event = source.at(index)!;
			const isFirst = events.length === 0;
			// Files of this event: each one alone must fit the byte budget, or it can never be sent.
			const eventFiles: OutgoingFile[] = [];
			let eventFileBytes = 0;
			for (const file of event.files ?? []) {
				if (file.data.length > this.maxFileBytes) {
					droppedFiles++;
					continue;
				}
				eventFiles.push({ name: `${event.seq}-${safeFileName(file.name)}`, data: file.data });
				eventFileBytes += file.data.length;
			}
			if (!isFirst && (files.length + eventFiles.length + (attached.length ? 1 : 0) > MESSAGE_LIMITS.files || fileBytes + eventFileBytes + attachBytes > this.maxFileBytes)) break;
			if (isFirst) {
				// The first event must go: keep the files that fit, leaving a slot and room for a JSON attachment.
				while (eventFiles.length > MESSAGE_LIMITS.files - 1 || eventFileBytes > this.maxFileBytes - TRUNCATED_PREVIEW_BYTES * 2) {
					eventFileBytes -= eventFiles.pop()!.data.length;
					droppedFiles++;
				}
			}

			// Visible part: an embed of its own, or a line in the current dense embed.
			let complete: boolean;
			let newEmbed: APIEmbed | undefined;
			let line: string | undefined;
			if (event.severity !== 'INFO' || eventFiles.length > 0) {
				const budget = MESSAGE_LIMITS.embedTotalChars - chars;
				if (embeds.length >= MESSAGE_LIMITS.embeds || budget < MIN_EMBED_CHARS) break;
				const formatted = this.formatter.embed(event, budget);
				if (embedChars(formatted.value) > budget) break;
				newEmbed = formatted.value;
				complete = formatted.complete;
				const image = eventFiles.find((file) => /\.(png|jpe?g|gif|webp)$/i.test(file.name));
				if (image) newEmbed.image = { url: `attachment://${image.name}` };
			} else {
				const formatted = this.formatter.line(event);
				line = formatted.value;
				complete = formatted.complete;
				const fitsDense = dense !== undefined && dense.description!.length + 1 + line.length <= MESSAGE_LIMITS.description && chars + 1 + line.length <= MESSAGE_LIMITS.embedTotalChars;
				if (!fitsDense) {
					if (embeds.length >= MESSAGE_LIMITS.embeds || chars + line.length > MESSAGE_LIMITS.embedTotalChars) break;
					newEmbed = { description: line, color: SEVERITY_COLORS.INFO, timestamp: event.timestamp };
					line = undefined;
				}
			}

			// Anything cut from the embed travels in full in the JSON attachment (and what asks for it).
			let wireJson: string | undefined;
			if (!complete || event.attachJson) {
				wireJson = JSON.stringify(this.formatter.wire(event));
				const room = this.maxFileBytes - fileBytes - eventFileBytes - attachBytes - 1;
				if (Buffer.byteLength(wireJson) > room) {
					if (!isFirst) break;
					wireJson = JSON.stringify(truncatedWire(this.formatter.wire(event), room));
				}
				if (!isFirst && files.length + eventFiles.length + 1 > MESSAGE_LIMITS.files) break;
			}

			// Commit.
			events.push(event);
			for (const file of eventFiles) files.push(file);
			fileBytes += eventFileBytes;
			if (wireJson !== undefined) {
				attached.push(wireJson);
				attachedEvents.push(event);
				attachBytes += Buffer.byteLength(wireJson) + 1;
			}
			if (newEmbed) {
				embeds.push(newEmbed);
				chars += embedChars(newEmbed);
				dense = newEmbed.footer ? undefined : newEmbed;
			} else if (line !== undefined && dense) {
				dense.description += `\n${line}`;
				dense.timestamp = event.timestamp;
				chars += 1 + line.length;
			}
		}

		if (attached.length) files.push(attachmentFile(attachedEvents, attached));
		return { body: { embeds, allowed_mentions: { parse: [] } }, files, events, digest: false, droppedFiles };
	}

	private packDigest(source: EventSource, label: string): PackedMessage {
		const events: ReportEvent[] = [];
		const wires: string[] = [];
		let bytes = 2;
		const limit = Math.min(source.length, this.maxDigestEvents);
		for (let index = 0; index < limit; index++) {
			const event = source.at(index)!;
			if (index > 0 && event.files?.length) break;
			let json = JSON.stringify(this.formatter.wire(event));
			let size = Buffer.byteLength(json) + 1;
			if (bytes + size > this.maxFileBytes) {
				if (index > 0) break;
				json = JSON.stringify(truncatedWire(this.formatter.wire(event), this.maxFileBytes - bytes - 1));
				size = Buffer.byteLength(json) + 1;
			}
			events.push(event);
			wires.push(json);
			bytes += size;
		}

		const first = events[0]!.seq;
		const last = events[events.length - 1]!.seq;
		const bySeverity: Record<Severity, number> = { CRITICAL: 0, WARNING: 0, INFO: 0 };
		const byName = new Map<string, number>();
		let worst: Severity = 'INFO';
		for (const event of events) {
			bySeverity[event.severity]++;
			if (event.severity === 'CRITICAL' || (event.severity === 'WARNING' && worst === 'INFO')) worst = event.severity;
			const name = this.formatter.plain(event).event;
			byName.set(name, (byName.get(name) ?? 0) + 1);
		}
		const file = attachmentFile(events, wires);
		const counts = (['CRITICAL', 'WARNING', 'INFO'] as const)
			.filter((severity) => bySeverity[severity] > 0)
			.map((severity) => `${SEVERITY_ICONS[severity]} ${severity.toLowerCase()} ${bySeverity[severity].toLocaleString('en-US')}`)
			.join(' · ');
		const top = [...byName.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, 8)
			.map(([name, count]) => `\`${truncate(name.replace(/`/g, 'ˋ'), 60)}\` ×${count.toLocaleString('en-US')}`)
			.join(', ');
		let description = truncate(`${counts}\nTop events: ${top}\nEvery event in full: \`${file.name}\`\n\n**First events**`, 1000);
		for (const event of events) {
			const line = this.formatter.line(event).value;
			if (description.length + 1 + line.length > DIGEST_PREVIEW_CHARS) break;
			description += `\n${line}`;
		}
		const embed: APIEmbed = {
			title: truncate(`📦 ${escapeMarkdown(label)}: ${events.length.toLocaleString('en-US')} events (#${first}–#${last})`, MESSAGE_LIMITS.title),
			description,
			color: SEVERITY_COLORS[worst],
			footer: { text: `digest #${first}–#${last} · ${events.length} events` },
			timestamp: events[events.length - 1]!.timestamp
		};
		return { body: { embeds: [embed], allowed_mentions: { parse: [] } }, files: [file], events, digest: true, droppedFiles: 0 };
	}
}

/** One event -> `event-<seq>.json` holding the wire object; several -> `events-<first>-<last>.json` holding an array. */
function attachmentFile(events: readonly ReportEvent[], wires: readonly string[]): OutgoingFile {
	if (wires.length === 1) return { name: `event-${events[0]!.seq}.json`, data: Buffer.from(wires[0]!), contentType: 'application/json' };
	const firstSeq = events[0]!.seq;
	const lastSeq = events[events.length - 1]!.seq;
	return { name: `events-${firstSeq}-${lastSeq}.json`, data: Buffer.from(`[${wires.join(',')}]`), contentType: 'application/json' };
}

/** A payload too large for any message: keep its identity and a JSON preview, say how big it was. */
function truncatedWire(wire: WireEvent, maxBytes: number): WireEvent {
	const json = JSON.stringify(wire.data);
	const originalBytes = Buffer.byteLength(json);
	let previewChars = Math.max(0, Math.min(TRUNCATED_PREVIEW_BYTES, maxBytes - 4096));
	for (;;) {
		const out: WireEvent = { ...wire, event: truncate(wire.event, 200), data: { truncated: true, originalBytes, preview: truncate(json, previewChars) } };
		if (wire.title !== undefined) out.title = truncate(wire.title, 256);
		// Escaping can grow the preview up to 6x (control characters): measure, halve until it fits.
		if (previewChars === 0 || Buffer.byteLength(JSON.stringify(out)) <= maxBytes) return out;
		previewChars = Math.floor(previewChars / 2);
	}
}

function safeFileName(name: string): string {
	const clean = name.replace(/[^\w.-]+/g, '_').slice(-80);
	return clean || 'file';
}
