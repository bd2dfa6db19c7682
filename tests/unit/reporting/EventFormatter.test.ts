import { describe, expect, it } from 'vitest';
import { EventFormatter, LINE_MAX, SEVERITY_COLORS } from '#lib/reporting/EventFormatter.js';
import { embedChars, MESSAGE_LIMITS } from '#lib/reporting/messageLimits.js';
import { Redactor } from '#lib/reporting/Redactor.js';
import type { ReportEvent } from '#lib/reporting/ReportEvent.js';

const formatter = new EventFormatter(new Redactor(['s3cret-value']));
const at = '2025-03-04T05:06:07.890Z';

function event(partial: Partial<ReportEvent>): ReportEvent {
	return { seq: 1, event: 'health.report', severity: 'INFO', timestamp: at, data: {}, ...partial };
}

describe('EventFormatter', () => {
	it('dense line: seq, time, name, key=value; complete when every value is shown', () => {
		const line = formatter.line(event({ seq: 42, data: { guilds: 3, ok: true, region: 'eu' } }));
		expect(line.value).toBe('#42 `05:06:07` **health.report** guilds=3 ok=true region=eu');
		expect(line.complete).toBe(true);
	});

	it('dense line: long or nested values are cut and marked incomplete, never longer than LINE_MAX', () => {
		const nested = formatter.line(event({ data: { list: [1, 2, 3], obj: { a: 1 } } }));
		expect(nested.value).toContain('list=[3] obj={…}');
		expect(nested.complete).toBe(false);
		const long = formatter.line(event({ data: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, 'x'.repeat(30)])) }));
		expect(long.value.length).toBeLessThanOrEqual(LINE_MAX);
		expect(long.value.endsWith('…')).toBe(true);
		expect(long.complete).toBe(false);
		const multiline = formatter.line(event({ data: { text: 'a\nb' } }));
		expect(multiline.value).not.toContain('\n');
		expect(multiline.complete).toBe(false);
	});

	it('escapes markdown and redacts secrets in every string', () => {
		const line = formatter.line(event({ event: 'a*b_c', data: { note: 'pw s3cret-value `x`' } }));
		expect(line.value).toContain('**a\\*b\\_c**');
		expect(line.value).not.toContain('s3cret-value');
		const embed = formatter.embed(event({ severity: 'CRITICAL', title: 'boom s3cret-value', data: { message: 'failed: s3cret-value' } }), 6000).value;
		expect(JSON.stringify(embed)).not.toContain('s3cret-value');
	});

	it('embed: colour by severity, title, inline scalar fields, message in description, seq in footer, timestamp', () => {
		const { value, complete } = formatter.embed(
			event({ seq: 7, severity: 'CRITICAL', event: 'log.error', data: { message: 'Database unreachable', code: 'ECONNREFUSED', attempt: 3, detail: { host: 'db' } } }),
			6000
		);
		expect(complete).toBe(true);
		expect(value.color).toBe(SEVERITY_COLORS.CRITICAL);
		expect(value.title).toBe('🔴 Log error');
		expect(value.description).toBe('Database unreachable');
		expect(value.fields).toEqual([
			{ name: 'code', value: 'ECONNREFUSED', inline: true },
			{ name: 'attempt', value: '3', inline: true },
			{ name: 'detail', value: '`{"host":"db"}`', inline: false }
		]);
		expect(value.footer?.text).toBe('#7 · log.error · CRITICAL');
		expect(value.timestamp).toBe(at);
		expect(formatter.embed(event({ severity: 'WARNING' }), 6000).value.color).toBe(SEVERITY_COLORS.WARNING);
	});

	it('embed: stays within the given budget and every field limit, and says when it cut something', () => {
		const huge = event({
			severity: 'WARNING',
			title: 't'.repeat(1000),
			data: {
				stack: 'line\n'.repeat(5000),
				...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])),
				blob: { text: 'y'.repeat(5000) }
			}
		});
		for (const budget of [400, 1000, 3000, 6000]) {
			const { value, complete } = formatter.embed(huge, budget);
			expect(complete).toBe(false);
			expect(embedChars(value)).toBeLessThanOrEqual(budget);
			expect(value.title!.length).toBeLessThanOrEqual(MESSAGE_LIMITS.title);
			expect(value.description?.length ?? 0).toBeLessThanOrEqual(MESSAGE_LIMITS.description);
			expect(value.fields?.length ?? 0).toBeLessThanOrEqual(MESSAGE_LIMITS.fields);
			for (const field of value.fields ?? []) expect(field.value.length).toBeLessThanOrEqual(MESSAGE_LIMITS.fieldValue);
			// A cut code block is closed again.
			expect((value.description?.match(/```/g)?.length ?? 0) % 2).toBe(0);
		}
	});

	it('wire shape is {seq, event, severity, timestamp, data} with redacted JSON-safe data', () => {
		const wire = formatter.wire(event({ seq: 9, data: { big: 1n, pw: 's3cret-value' } }));
		expect(wire).toEqual({ seq: 9, event: 'health.report', severity: 'INFO', timestamp: at, data: { big: '1', pw: '[REDACTED]' } });
	});

	it('embed: an Error in data is shown as its stack in a code block', () => {
		const error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		const { value, complete } = formatter.embed(event({ severity: 'CRITICAL', data: { message: 'query failed', error } }), 6000);
		expect(value.description).toBe(`query failed\n**error** (ECONNREFUSED)\n\`\`\`\n${error.stack}\n\`\`\``);
		expect(value.fields).toBeUndefined();
		expect(complete).toBe(true);
	});
});
