import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateMessagePayload } from '../../../sandbox/index.js';
import { ChannelBatcher, type PackedMessage } from '#lib/reporting/ChannelBatcher.js';
import { decodeReportMessage } from '#lib/reporting/decodeReportMessage.js';
import { EventFormatter } from '#lib/reporting/EventFormatter.js';
import { MESSAGE_LIMITS, messageLimitProblems } from '#lib/reporting/messageLimits.js';
import { Redactor } from '#lib/reporting/Redactor.js';
import type { ReportEvent, Severity } from '#lib/reporting/ReportEvent.js';

const formatter = new EventFormatter(new Redactor(['hunter2-secret']));
const at = '2025-03-04T05:06:07.890Z';

function info(seq: number, data: Record<string, unknown> = { n: seq }): ReportEvent {
	return { seq, event: 'guild.activity', severity: 'INFO', timestamp: at, data };
}

/** Packs the whole queue into messages, as the reporter does. */
function drain(batcher: ChannelBatcher, events: ReportEvent[]): PackedMessage[] {
	const queue = [...events];
	const messages: PackedMessage[] = [];
	while (queue.length) {
		const message = batcher.pack(queue, 'Logs')!;
		expect(message.events.length).toBeGreaterThan(0);
		expect(message.events).toEqual(queue.slice(0, message.events.length));
		queue.splice(0, message.events.length);
		messages.push(message);
	}
	return messages;
}

describe('ChannelBatcher', () => {
	it('packs ~50 INFO lines per message in dense embeds, in order', () => {
		const batcher = new ChannelBatcher(formatter, { digestThreshold: 1_000_000 });
		const events = Array.from({ length: 500 }, (_, i) => info(i + 1, { guild: '1419516681427882115', messages: i, members: 12 }));
		const messages = drain(batcher, events);
		expect(messages.length).toBeLessThanOrEqual(500 / 40);
		for (const message of messages) {
			expect(messageLimitProblems(message.body, message.files)).toEqual([]);
			expect(message.files).toEqual([]);
			expect(decodeReportMessage(message.body).map((e) => e.seq)).toEqual(message.events.map((e) => e.seq));
		}
	});

	it('gives WARNING/CRITICAL their own embed between dense blocks, keeping order', () => {
		const batcher = new ChannelBatcher(formatter);
		const events: ReportEvent[] = [info(1), info(2), { ...info(3), severity: 'WARNING', event: 'alert.cpu' }, info(4)];
		const [message] = drain(batcher, events);
		expect(message!.body.embeds!.map((embed) => (embed.footer ? 'embed' : 'dense'))).toEqual(['dense', 'embed', 'dense']);
		expect(decodeReportMessage(message!.body).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
	});

	it('a backlog becomes digests: summary embed + every event in a JSON attachment', () => {
		const batcher = new ChannelBatcher(formatter, { digestThreshold: 200, maxDigestEvents: 5000 });
		const events = Array.from({ length: 12_000 }, (_, i) => info(i + 1));
		const messages = drain(batcher, events);
		expect(messages.length).toBe(3);
		const seqs = messages.flatMap((message) => {
			expect(message.digest).toBe(true);
			expect(messageLimitProblems(message.body, message.files)).toEqual([]);
			return decodeReportMessage(message.body, message.files).map((e) => e.seq);
		});
		expect(seqs).toEqual(events.map((e) => e.seq));
		const wire = JSON.parse(messages[0]!.files[0]!.data.toString())[0];
		expect(wire).toEqual({ seq: 1, event: 'guild.activity', severity: 'INFO', timestamp: at, data: { n: 1 } });
		expect(messages[0]!.files[0]!.name).toBe('events-1-5000.json');
	});

	it('a payload too large for an embed goes as event-<seq>.json in the wire shape, redacted', () => {
		const batcher = new ChannelBatcher(formatter);
		const big = { ...info(5), severity: 'CRITICAL' as Severity, data: { stack: 'frame hunter2-secret\n'.repeat(2000), nested: { deep: [1, 2, 3] } } };
		const [message] = drain(batcher, [big]);
		expect(message!.files.map((file) => file.name)).toEqual(['event-5.json']);
		const wire = JSON.parse(message!.files[0]!.data.toString());
		expect(wire.seq).toBe(5);
		expect(wire.event).toBe('guild.activity');
		expect(wire.data.nested).toEqual({ deep: [1, 2, 3] });
		expect(wire.data.stack.split('\n').length).toBe(2001);
		expect(message!.files[0]!.data.toString()).not.toContain('hunter2-secret');
		expect(JSON.stringify(message!.body)).not.toContain('hunter2-secret');
	});

	it('a payload larger than 8 MiB is truncated with its size recorded; oversized caller files are dropped and counted', () => {
		const batcher = new ChannelBatcher(formatter);
		const huge = { ...info(1), data: { blob: 'z'.repeat(9 * 1024 * 1024) } };
		const [message] = drain(batcher, [huge]);
		expect(messageLimitProblems(message!.body, message!.files)).toEqual([]);
		const wire = JSON.parse(message!.files[0]!.data.toString());
		expect(wire.data.truncated).toBe(true);
		expect(wire.data.originalBytes).toBeGreaterThan(9 * 1024 * 1024);
		const withFiles: ReportEvent = { ...info(2), files: [{ name: 'huge.bin', data: Buffer.alloc(9 * 1024 * 1024) }, { name: 'chart.png', data: Buffer.alloc(1000) }] };
		const [second] = drain(batcher, [withFiles]);
		expect(second!.droppedFiles).toBe(1);
		expect(second!.files.map((file) => file.name)).toEqual(['2-chart.png']);
		expect(second!.body.embeds![0]!.image).toEqual({ url: 'attachment://2-chart.png' });
	});

	it('property: whatever the events, every message is within every Discord limit and nothing is lost or reordered', () => {
		const text = fc.oneof(
			{ weight: 5, arbitrary: fc.string({ maxLength: 40 }) },
			{ weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
			{ weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\ud800', '\udfff', '😀', '`', '*', '\n', '#', 'é', 'x'), maxLength: 3000 }) },
			{ weight: 1, arbitrary: fc.integer({ min: 1000, max: 150_000 }).map((n) => 'w'.repeat(n)) }
		);
		const value = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 50 }), fc.dictionary(fc.string({ maxLength: 10 }), text, { maxKeys: 5 }));
		const file = fc.record({ name: fc.string({ maxLength: 30 }), size: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 300_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 1_000_000, max: 9_000_000 }) }) });
		const eventArb = fc.record({
			event: text,
			severity: fc.constantFrom<Severity>('INFO', 'INFO', 'INFO', 'WARNING', 'CRITICAL'),
			title: fc.option(text, { nil: undefined }),
			data: fc.dictionary(fc.string({ unit: 'binary', maxLength: 300 }), value, { maxKeys: 40 }),
			files: fc.option(fc.array(file, { maxLength: 12 }), { freq: 8, nil: undefined })
		});
		// Views of one buffer: file sizes are what matters, and allocating 9 MB per run would dominate the test.
		const backing = Buffer.alloc(9_000_000, 1);
		const bufferOf = (size: number) => backing.subarray(0, size);
		fc.assert(
			fc.property(fc.array(eventArb, { minLength: 1, maxLength: 300 }), fc.integer({ min: 2, max: 400 }), (inputs, digestThreshold) => {
				const events: ReportEvent[] = inputs.map((input, index) => ({
					seq: index + 1,
					event: input.event,
					severity: input.severity,
					timestamp: at,
					title: input.title,
					data: input.data,
					files: input.files?.map((f) => ({ name: f.name, data: bufferOf(f.size) }))
				}));
				const batcher = new ChannelBatcher(formatter, { digestThreshold });
				const messages = drain(batcher, events);
				const seen: number[] = [];
				for (const message of messages) {
					// The sandbox answers exactly what Discord would (400 50035, 413 40005); ours must agree it is fine.
					expect(validateMessagePayload(message.body, message.files.map((file) => ({ size: file.data.length })))).toBeNull();
					expect(messageLimitProblems(message.body, message.files)).toEqual([]);
					expect(message.body.allowed_mentions).toEqual({ parse: [] });
					expect(message.files.length).toBeLessThanOrEqual(MESSAGE_LIMITS.files);
					const decoded = decodeReportMessage(message.body, message.files).map((e) => e.seq);
					expect(decoded).toEqual(message.events.map((e) => e.seq));
					seen.push(...decoded);
				}
				expect(seen).toEqual(events.map((e) => e.seq));
			}),
			{ numRuns: 200 }
		);
	});
});
