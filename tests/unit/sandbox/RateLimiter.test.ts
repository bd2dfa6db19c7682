import { describe, expect, it } from 'vitest';
import { bucketHash, RateLimiter } from '../../../sandbox/index.js';

const MESSAGES = 'POST /channels/:id/messages';

function limiter() {
	let now = 1_700_000_000_000;
	const clock = { advance: (ms: number) => (now += ms) };
	const rl = new RateLimiter({ perChannel: { limit: 5, windowMs: 5000 }, global: { limit: 50, windowMs: 1000 }, perRoute: { limit: 50, windowMs: 1000 } }, () => now);
	return { rl, clock };
}

describe('RateLimiter', () => {
	it('allows 5 message POSTs per channel per 5 s with Discord headers, then 429 until the window resets', () => {
		const { rl, clock } = limiter();
		for (let i = 0; i < 5; i++) {
			const decision = rl.check(MESSAGES, 'c1', false);
			expect(decision.limited).toBeUndefined();
			expect(decision.headers['X-RateLimit-Remaining']).toBe(String(4 - i));
			expect(decision.headers['X-RateLimit-Limit']).toBe('5');
			expect(decision.headers['X-RateLimit-Bucket']).toBe(bucketHash(MESSAGES));
		}
		clock.advance(1000);
		const limited = rl.check(MESSAGES, 'c1', false);
		expect(limited.limited).toEqual({ retryAfterMs: 4000, global: false });
		expect(limited.headers['Retry-After']).toBe('4.000');
		expect(limited.headers['X-RateLimit-Reset-After']).toBe('4.000');
		expect(limited.headers['X-RateLimit-Scope']).toBe('user');
		// Other channels have their own bucket.
		expect(rl.check(MESSAGES, 'c2', false).limited).toBeUndefined();
		clock.advance(4000);
		expect(rl.check(MESSAGES, 'c1', false).headers['X-RateLimit-Remaining']).toBe('4');
	});

	it('enforces the global limit across routes with X-RateLimit-Global, except for token routes', () => {
		const { rl, clock } = limiter();
		for (let i = 0; i < 50; i++) expect(rl.check('GET /channels/:id', `c${i}`, false).limited).toBeUndefined();
		clock.advance(250);
		const limited = rl.check('GET /guilds/:id', 'g', false);
		expect(limited.limited).toEqual({ retryAfterMs: 750, global: true });
		expect(limited.headers).toMatchObject({ 'Retry-After': '0.750', 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' });
		expect(rl.check('POST /interactions/:id/:token/callback', 'i/t', true).limited).toBeUndefined();
		clock.advance(750);
		expect(rl.check('GET /guilds/:id', 'g', false).limited).toBeUndefined();
	});

	it('forced 429 headers carry Retry-After and a drained bucket', () => {
		const { rl } = limiter();
		expect(rl.forcedHeaders(MESSAGES, 1500, false)).toMatchObject({ 'Retry-After': '1.500', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset-After': '1.500', 'X-RateLimit-Scope': 'user' });
		expect(rl.forcedHeaders(MESSAGES, 200, true)).toEqual({ 'Retry-After': '0.200', 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' });
	});
});
