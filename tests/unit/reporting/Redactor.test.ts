import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '#lib/reporting/Redactor.js';
import { toPlainData } from '#lib/reporting/plainData.js';

const BOT_TOKEN = 'MTQxOTUxNjY4MTQyNzg4MjExNQ.GhT9zQ.a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9';

describe('Redactor', () => {
	it('masks configured secrets exactly, longest first, everywhere in the text', () => {
		const redactor = new Redactor(['hunter2hunter2', 'api-token-0123456789', 'abc']);
		const out = redactor.redact('pw=hunter2hunter2 api=api-token-0123456789 again hunter2hunter2; abc stays');
		expect(out).toBe(`pw=${REDACTED} api=${REDACTED} again ${REDACTED}; abc stays`);
		const nested = new Redactor(['secret', 'secret-longer-value']);
		expect(nested.redact('x secret-longer-value y')).toBe(`x ${REDACTED} y`);
	});

	it('masks anything shaped like a Discord token, configured or not', () => {
		const redactor = new Redactor([]);
		expect(redactor.redact(`token ${BOT_TOKEN} leaked`)).toBe(`token ${REDACTED} leaked`);
		expect(redactor.redact(`"${BOT_TOKEN}"`)).toBe(`"${REDACTED}"`);
		expect(redactor.redact('OTk5OTk5OTk5OTk5OTk5OTk5OQ.Gx-_0a.abcdefghijklmnopqrstuvwxyz0123-_ABCD')).toBe(REDACTED);
		expect(redactor.redact('mfa.abcdefghijklmnopqrstuvwxyzABCDEFGH')).toBe(REDACTED);
		// Ordinary dotted text is left alone.
		expect(redactor.redact('health.report v1.2.3 example.com/path a.b.c')).toBe('health.report v1.2.3 example.com/path a.b.c');
	});

	it('masks Bot/Bearer authorization values and URL passwords', () => {
		const redactor = new Redactor([]);
		expect(redactor.redact('Authorization: Bot abcdefgh.ijklmnop-qrst')).toBe(`Authorization: Bot ${REDACTED}`);
		expect(redactor.redact('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig')).toBe(`Authorization: Bearer ${REDACTED}`);
		expect(redactor.redact('db postgres://nexus:s3cr3t-pw@db.local:5432/nexus ok')).toBe(`db postgres://nexus:${REDACTED}@db.local:5432/nexus ok`);
		expect(redactor.redact('redis://:onlypass@127.0.0.1:6379')).toBe(`redis://:${REDACTED}@127.0.0.1:6379`);
		// A URL without a password keeps its user.
		expect(redactor.redact('https://user@example.com/x')).toBe('https://user@example.com/x');
		// Idempotent: redacting twice changes nothing more.
		const once = redactor.redact(`Bot ${BOT_TOKEN} postgres://a:b@c`);
		expect(redactor.redact(once)).toBe(once);
	});

	it('toPlainData redacts keys and values, survives cycles, bigint, errors, maps and buffers', () => {
		const redactor = new Redactor(['topsecretvalue', '12345678']);
		const cyclic: Record<string, unknown> = { name: 'loop' };
		cyclic.self = cyclic;
		const error = new Error(`failed with topsecretvalue`);
		const plain = toPlainData(
			{
				topsecretvalue: 'key is secret',
				big: 10n ** 20n,
				error,
				map: new Map([['k', 'topsecretvalue']]),
				set: new Set([1, 2]),
				buffer: Buffer.from('raw topsecretvalue bytes'),
				when: new Date('2025-01-02T03:04:05Z'),
				numericSecret: 12345678,
				nan: Number.NaN,
				undef: undefined,
				fn: () => 1,
				cyclic
			},
			(text) => redactor.redact(text)
		) as Record<string, any>;
		const json = JSON.stringify(plain);
		expect(json).not.toContain('topsecretvalue');
		expect(json).not.toContain('12345678');
		expect(plain[REDACTED]).toBe('key is secret');
		expect(plain.big).toBe('100000000000000000000');
		expect(plain.error.message).toBe(`failed with ${REDACTED}`);
		expect(plain.error.stack).toContain('Error');
		expect(plain.map).toEqual({ k: REDACTED });
		expect(plain.set).toEqual([1, 2]);
		expect(plain.buffer).toBe('[Buffer 24 bytes]');
		expect(plain.when).toBe('2025-01-02T03:04:05.000Z');
		expect(plain.numericSecret).toBe(REDACTED);
		expect(plain.nan).toBe('NaN');
		expect('undef' in plain).toBe(false);
		expect(plain.cyclic.self).toBe('[Circular]');
	});
});
