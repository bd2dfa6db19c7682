import { describe, expect, it } from 'vitest';
import { BearerAuth } from '#lib/api/BearerAuth.js';

describe('BearerAuth', () => {
	const token = 's3cret-token-with-enough-length';
	const auth = new BearerAuth(token);

	it('accepts exactly the token with the Bearer scheme (any case, surrounding blanks)', () => {
		expect(auth.verify(`Bearer ${token}`)).toBe(true);
		expect(auth.verify(`bearer ${token}`)).toBe(true);
		expect(auth.verify(`BEARER \t${token} `)).toBe(true);
		expect(auth.verify([`Bearer ${token}`])).toBe(true);
	});

	it('refuses anything else', () => {
		for (const header of [
			undefined,
			'',
			'Bearer',
			'Bearer ',
			token,
			`Basic ${token}`,
			`Bearer ${token}x`,
			`Bearer ${token.slice(0, -1)}`,
			`Bearer ${token} extra`,
			`Bearer  ${token.toUpperCase()}`,
			`Token ${token}`
		])
			expect(auth.verify(header), String(header)).toBe(false);
	});

	it('needs a token to compare against', () => {
		expect(() => new BearerAuth('')).toThrow();
	});
});
