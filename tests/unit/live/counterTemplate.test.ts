import { describe, expect, it } from 'vitest';
import { renderTemplate, templatePlaceholders, validateTemplate } from '#lib/live/counterTemplate.js';

describe('counter templates', () => {
	it('render placeholders with thousands separators and trim like Discord', () => {
		expect(renderTemplate('  👥 Members: {members} ', { members: 12345 })).toBe('👥 Members: 12,345');
		expect(renderTemplate('{humans} humans · {bots} bots', { humans: 3, bots: 1 })).toBe('3 humans · 1 bots');
		expect(renderTemplate('Voice: {voice_now}', {})).toBe('Voice: 0');
	});

	it('list the placeholders used, once each', () => {
		expect(templatePlaceholders('{members}/{members} {joins_today}')).toEqual(['members', 'joins_today']);
	});

	it('accept a valid template', () => {
		expect(validateTemplate('👥 Members: {members}')).toEqual({ ok: true, placeholders: ['members'] });
	});

	it('reject unknown placeholders, naming them and the valid ones', () => {
		const check = validateTemplate('Online: {online}');
		expect(check.ok).toBe(false);
		if (!check.ok) expect(check.error).toMatch(/Unknown placeholder `\{online\}`.*\{members\}/);
	});

	it('reject control characters, blank names and templates without a placeholder', () => {
		expect(validateTemplate('a\n{members}').ok).toBe(false);
		expect(validateTemplate('   ').ok).toBe(false);
		const none = validateTemplate('Members');
		expect(none.ok).toBe(false);
		if (!none.ok) expect(none.error).toMatch(/no placeholder/);
	});

	it('reject a template whose name could exceed 100 characters with large numbers', () => {
		const fits = `${'x'.repeat(86)}{members}`; // 86 + "9,999,999,999" (13) = 99
		expect(validateTemplate(fits).ok).toBe(true);
		const tooLong = `${'x'.repeat(88)}{members}`;
		const check = validateTemplate(tooLong);
		expect(check.ok).toBe(false);
		if (!check.ok) expect(check.error).toMatch(/101 characters.*100/);
	});
});
