import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { classifySendError } from '#lib/reporting/classifySendError.js';

const request = { body: {}, files: undefined };
const apiError = (status: number, code: number, message = 'x') => new DiscordAPIError({ code, message }, code, status, 'POST', '/channels/1/messages', request);

describe('classifySendError', () => {
	it('unknown channel and missing access/permission make the channel unavailable, with the exact reason', () => {
		expect(classifySendError(apiError(404, 10003, 'Unknown Channel'))).toMatchObject({ outcome: 'channel-unavailable', reason: 'unknown channel (10003)', status: 404 });
		expect(classifySendError(apiError(403, 50013, 'Missing Permissions'))).toMatchObject({ outcome: 'channel-unavailable', reason: 'missing permission (50013)' });
		expect(classifySendError(apiError(403, 50001, 'Missing Access'))).toMatchObject({ outcome: 'channel-unavailable', reason: 'missing access (50001)' });
		expect(classifySendError(apiError(403, 40001, 'Unauthorized'))).toMatchObject({ outcome: 'channel-unavailable', reason: 'forbidden (40001)' });
		expect(classifySendError(apiError(401, 0, '401: Unauthorized'))).toMatchObject({ outcome: 'channel-unavailable' });
	});

	it('other 4xx are rejected (our bug, never retried)', () => {
		expect(classifySendError(apiError(400, 50035, 'Invalid Form Body'))).toMatchObject({ outcome: 'rejected', reason: 'invalid request (50035): Invalid Form Body' });
		expect(classifySendError(apiError(413, 40005, 'Request entity too large'))).toMatchObject({ outcome: 'rejected' });
	});

	it('5xx after discord.js retries, rate limits, timeouts and network errors are retryable', () => {
		expect(classifySendError(new HTTPError(502, 'Bad Gateway', 'POST', '/x', request))).toMatchObject({ outcome: 'retryable', reason: 'server error 502' });
		expect(classifySendError(apiError(500, 0))).toMatchObject({ outcome: 'retryable' });
		const limited = new RateLimitError({ timeToReset: 1200, limit: 5, method: 'POST', hash: 'h', url: '/x', route: '/channels/:id/messages', majorParameter: '1', global: false, retryAfter: 1200, sublimitTimeout: 0, scope: 'user' });
		expect(classifySendError(limited)).toMatchObject({ outcome: 'retryable', reason: 'rate limited (retry after 1.2 s)', retryAfterMs: 1200 });
		expect(classifySendError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toMatchObject({ outcome: 'retryable', reason: 'Discord unreachable (ECONNREFUSED)' });
		expect(classifySendError(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }))).toMatchObject({ reason: 'Discord unreachable (ENOTFOUND)' });
		expect(classifySendError(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], ''))).toMatchObject({ reason: 'Discord unreachable (ECONNREFUSED)' });
		expect(classifySendError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toMatchObject({ outcome: 'retryable', reason: 'connection lost (UND_ERR_SOCKET)' });
		expect(classifySendError(new DOMException('This operation was aborted', 'AbortError'))).toMatchObject({ outcome: 'retryable' });
		expect(classifySendError(new Error('something odd'))).toMatchObject({ outcome: 'retryable', reason: 'send failed: something odd' });
	});
});
