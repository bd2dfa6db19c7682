import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embedLength, MESSAGE_LIMITS, validateMessagePayload, type EmbedObject } from '../../../sandbox/index.js';

const maxLength = (max: number) => ({ _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }] });

describe('validateMessagePayload', () => {
	it('accepts payloads at every limit', () => {
		const field = { name: 'n'.repeat(256), value: 'v'.repeat(1024) };
		expect(validateMessagePayload({ content: 'x'.repeat(2000) })).toBeNull();
		expect(validateMessagePayload({ embeds: [{ title: 't'.repeat(256), description: 'd'.repeat(4096), footer: { text: 'f'.repeat(1000) }, author: { name: 'a'.repeat(256) } }] })).toBeNull();
		expect(validateMessagePayload({ embeds: [{ fields: Array.from({ length: 4 }, () => field) }] })).toBeNull();
		expect(validateMessagePayload({ embeds: Array.from({ length: 10 }, () => ({ description: 'd'.repeat(600) })) })).toBeNull();
		expect(validateMessagePayload({ content: 'files' }, Array.from({ length: 10 }, () => ({ size: MESSAGE_LIMITS.fileBytes / 10 })))).toBeNull();
		expect(validateMessagePayload({}, [{ size: 1 }])).toBeNull();
	});

	it('counts characters as code points, like Discord', () => {
		expect(validateMessagePayload({ content: '😀'.repeat(2000) })).toBeNull();
		expect(validateMessagePayload({ content: '😀'.repeat(2001) })?.status).toBe(400);
	});

	it('answers the 400 Invalid Form Body shape with the path of each problem', () => {
		expect(validateMessagePayload({ content: 'x'.repeat(2001) })).toEqual({
			status: 400,
			body: { code: 50035, message: 'Invalid Form Body', errors: { content: maxLength(2000) } }
		});
		const failure = validateMessagePayload({
			embeds: [
				{ title: 't'.repeat(257) },
				{ description: 'd'.repeat(4097), footer: { text: 'f'.repeat(2049) }, author: { name: 'a'.repeat(257) } },
				{ fields: [{ name: 'n'.repeat(257), value: 'ok' }, { name: 'ok', value: 'v'.repeat(1025) }, { name: '', value: 'x' }] },
				{ fields: Array.from({ length: 26 }, () => ({ name: 'a', value: 'b' })) }
			]
		});
		expect(failure?.status).toBe(400);
		const errors = failure!.body.errors as Record<string, any>;
		expect(errors.embeds[0].title).toEqual(maxLength(256));
		expect(errors.embeds[1].description).toEqual(maxLength(4096));
		expect(errors.embeds[1].footer.text).toEqual(maxLength(2048));
		expect(errors.embeds[1].author.name).toEqual(maxLength(256));
		expect(errors.embeds[2].fields[0].name).toEqual(maxLength(256));
		expect(errors.embeds[2].fields[1].value).toEqual(maxLength(1024));
		expect(errors.embeds[2].fields[2].name._errors[0].code).toBe('BASE_TYPE_REQUIRED');
		expect(errors.embeds[3].fields).toEqual(maxLength(25));
	});

	it('limits embeds to 10 per message and 6000 characters in total', () => {
		expect(validateMessagePayload({ embeds: Array.from({ length: 11 }, () => ({ title: 'x' })) })?.body.errors).toEqual({ embeds: maxLength(10) });
		const total = validateMessagePayload({ embeds: [{ title: 't'.repeat(200), description: 'd'.repeat(4000) }, { description: 'd'.repeat(1801) }] });
		expect(total?.body.errors).toEqual({ embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }] } });
	});

	it('limits files to 10 per message and 8 MiB in total (413, code 40005)', () => {
		expect(validateMessagePayload({ content: 'x' }, Array.from({ length: 11 }, () => ({ size: 1 })))?.body.errors).toEqual({ attachments: maxLength(10) });
		expect(validateMessagePayload({ content: 'x' }, [{ size: MESSAGE_LIMITS.fileBytes }])).toBeNull();
		expect(validateMessagePayload({ content: 'x' }, [{ size: MESSAGE_LIMITS.fileBytes - 10 }, { size: 11 }])).toEqual({
			status: 413,
			body: { code: 40005, message: 'Request entity too large' }
		});
	});

	it('refuses empty messages on create (50006) but not on edit', () => {
		expect(validateMessagePayload({ content: '' })).toEqual({ status: 400, body: { code: 50006, message: 'Cannot send an empty message' } });
		expect(validateMessagePayload(null)?.body.code).toBe(50006);
		expect(validateMessagePayload({ content: '' }, [], { partial: true })).toBeNull();
		expect(validateMessagePayload({ components: [{ type: 1, components: [] }] })).toBeNull();
	});

	it('rejects wrong types instead of crashing', () => {
		expect(validateMessagePayload({ content: 42 })?.body.code).toBe(50035);
		expect(validateMessagePayload({ embeds: 'nope' })?.body.code).toBe(50035);
		expect(validateMessagePayload({ embeds: [null] })?.body.code).toBe(50035);
	});

	// Property tests: the validator agrees with a direct reading of the limits for arbitrary embeds.
	const text = (max: number) => fc.string({ unit: 'grapheme-composite', maxLength: max });
	const embed = fc.record(
		{
			title: text(300),
			description: text(4200),
			footer: fc.record({ text: text(2100) }),
			author: fc.record({ name: text(300) }),
			fields: fc.array(fc.record({ name: text(280).filter((s) => s.trim().length > 0), value: text(1100).filter((s) => s.trim().length > 0) }), { maxLength: 27 })
		},
		{ requiredKeys: [] }
	) as fc.Arbitrary<EmbedObject>;
	const cp = (s: string | undefined) => [...(s ?? '')].length;
	const withinLimits = (embeds: EmbedObject[]) =>
		embeds.length <= 10 &&
		embeds.reduce((sum, e) => sum + embedLength(e), 0) <= 6000 &&
		embeds.every(
			(e) =>
				cp(e.title) <= 256 &&
				cp(e.description) <= 4096 &&
				cp(e.footer?.text) <= 2048 &&
				cp(e.author?.name) <= 256 &&
				(e.fields ?? []).length <= 25 &&
				(e.fields ?? []).every((f) => cp(f.name) <= 256 && cp(f.value) <= 1024)
		);
	const footerAndAuthorPresent = (embeds: EmbedObject[]) => embeds.every((e) => (e.footer === undefined || e.footer.text.trim() !== '') && (e.author === undefined || e.author.name.trim() !== ''));

	it('property: accepts exactly the embed sets within the limits', () => {
		fc.assert(
			fc.property(fc.array(embed, { minLength: 1, maxLength: 12 }), (embeds) => {
				fc.pre(footerAndAuthorPresent(embeds));
				const failure = validateMessagePayload({ embeds });
				expect(failure === null).toBe(withinLimits(embeds));
				if (failure) expect(failure.body).toMatchObject({ code: 50035, message: 'Invalid Form Body' });
			}),
			{ numRuns: 300 }
		);
	});

	it('property: content is accepted iff 1..2000 code points', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme', maxLength: 2100 }), (content) => {
				const failure = validateMessagePayload({ content });
				const n = cp(content);
				if (n === 0) expect(failure?.body.code).toBe(50006);
				else expect(failure === null).toBe(n <= 2000);
			}),
			{ numRuns: 300 }
		);
	});
});
