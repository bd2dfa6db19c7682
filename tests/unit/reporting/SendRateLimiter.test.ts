import { describe, expect, it } from 'vitest';
import { SlidingWindowRateLimiter } from '#lib/reporting/SendRateLimiter.js';

describe('SlidingWindowRateLimiter', () => {
	it('allows 4 ordinary sends per window, keeps the 5th slot for urgent ones, per key', () => {
		const limiter = new SlidingWindowRateLimiter({ limit: 5, windowMs: 5000, marginMs: 0, reservedForUrgent: 1, burst: 5 });
		for (let i = 0; i < 4; i++) expect(limiter.tryAcquire('a', 1000 + i, false)).toBe(0);
		expect(limiter.tryAcquire('a', 1010, false)).toBe(6000 - 1010); // the send at 1000 leaves the window at 6000
		expect(limiter.tryAcquire('b', 1010, false)).toBe(0);
		expect(limiter.tryAcquire('a', 1010, true)).toBe(0);
		expect(limiter.tryAcquire('a', 1011, true)).toBe(6000 - 1011);
		expect(limiter.tryAcquire('a', 6000, false)).toBeGreaterThan(0); // 5 in window (1001..1010)
		expect(limiter.tryAcquire('a', 6002, false)).toBe(0);
	});

	it('never lets more than `limit` sends into any window, whatever the timing', () => {
		const limiter = new SlidingWindowRateLimiter({ limit: 5, windowMs: 5000, marginMs: 0 });
		const sent: number[] = [];
		let now = 0;
		for (let step = 0; step < 5000; step++) {
			now += Math.floor(Math.random() * 400);
			if (limiter.tryAcquire('c', now, Math.random() < 0.3) === 0) sent.push(now);
		}
		for (let i = 5; i < sent.length; i++) expect(sent[i]! - sent[i - 5]!).toBeGreaterThanOrEqual(5000);
	});

	it('spaces sends beyond the burst by window/limit, so a stream of criticals is not stalled for a whole window', () => {
		const limiter = new SlidingWindowRateLimiter({ limit: 5, windowMs: 5000, marginMs: 0, burst: 2 });
		expect(limiter.tryAcquire('s', 0, true)).toBe(0);
		expect(limiter.tryAcquire('s', 10, true)).toBe(0);
		expect(limiter.tryAcquire('s', 20, true)).toBe(990);
		expect(limiter.tryAcquire('s', 1010, true)).toBe(0);
		expect(limiter.tryAcquire('s', 2010, true)).toBe(0);
		expect(limiter.tryAcquire('s', 3010, true)).toBe(0);
		expect(limiter.tryAcquire('s', 4010, true)).toBe(990); // 5 in the window: the send at 0 leaves at 5000
	});

	it('complete() moves the reservation to when the send finished', () => {
		const limiter = new SlidingWindowRateLimiter({ limit: 1, windowMs: 1000, marginMs: 0, reservedForUrgent: 0 });
		expect(limiter.tryAcquire('k', 0, false)).toBe(0);
		limiter.complete('k', 700); // slow request: Discord may have seen it as late as 700
		expect(limiter.tryAcquire('k', 1200, false)).toBe(500);
	});

	it('cancel() gives back a reservation that never reached Discord', () => {
		const limiter = new SlidingWindowRateLimiter({ limit: 1, windowMs: 1000, marginMs: 0, reservedForUrgent: 0 });
		expect(limiter.tryAcquire('k', 0, false)).toBe(0);
		limiter.cancel('k');
		expect(limiter.tryAcquire('k', 1, false)).toBe(0);
		expect(limiter.tryAcquire('k', 2, false)).toBe(999);
	});
});
