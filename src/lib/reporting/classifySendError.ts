import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';

/**
 * What to do after a failed send:
 * - retryable: Discord unreachable, 5xx after discord.js's own retries, timeout, abort — spool and
 *   retry with backoff (discord.js does not back off on these);
 * - channel-unavailable: unknown channel or missing access/permission (or a rejected token) —
 *   report once, fall back locally, retry rarely; hammering these gets a bot IP-banned;
 * - rejected: any other 4xx, i.e. our request was invalid; must never happen, never retried.
 */
export type SendFailure = 'retryable' | 'channel-unavailable' | 'rejected';

export interface ClassifiedError {
	outcome: SendFailure;
	/** Human text for operators and /nexus test_reporting, e.g. `unknown channel (10003)`. */
	reason: string;
	status?: number;
	code?: number | string;
	/** For rate limits: ms Discord asked us to wait. */
	retryAfterMs?: number;
	/** False when the request certainly never reached Discord (refused, no route, DNS): it used no rate limit. */
	reachedDiscord?: boolean;
}

const NETWORK_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ECONNABORTED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ETIMEDOUT',
	'EPIPE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENETDOWN',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
	'UND_ERR_CLOSED'
]);

const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

/** An established (often idle keep-alive) connection that broke, as opposed to Discord not answering at all. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

const CHANNEL_CODES: Record<number, string> = {
	10003: 'unknown channel',
	50001: 'missing access',
	50013: 'missing permission',
	50008: 'cannot send messages in this channel type'
};

export function classifySendError(error: unknown): ClassifiedError {
	const err = error as { name?: string; message?: string; code?: unknown; status?: unknown; cause?: unknown; rawError?: unknown };
	if (error instanceof DiscordAPIError || (typeof err?.status === 'number' && err.rawError !== undefined)) {
		const status = err.status as number;
		const code = err.code as number | string;
		const known = typeof code === 'number' ? CHANNEL_CODES[code] : undefined;
		if (known) return { outcome: 'channel-unavailable', reason: `${known} (${code})`, status, code };
		if (status === 404) return { outcome: 'channel-unavailable', reason: `not found (${code || 404})`, status, code };
		if (status === 403) return { outcome: 'channel-unavailable', reason: `forbidden (${code || 403})`, status, code };
		if (status === 401) return { outcome: 'channel-unavailable', reason: 'unauthorized (401): the bot token was rejected', status, code };
		if (status === 429) return { outcome: 'retryable', reason: 'rate limited (429)', status, code };
		if (status === 408) return { outcome: 'retryable', reason: 'request timeout (408)', status, code };
		if (status >= 500) return { outcome: 'retryable', reason: `server error ${status}`, status, code };
		const detail = typeof err.message === 'string' ? `: ${err.message.split('\n')[0]}` : '';
		return { outcome: 'rejected', reason: `invalid request (${code || status})${detail}`, status, code };
	}
	if (error instanceof HTTPError || err?.name === 'HTTPError') {
		const status = Number(err.status);
		return { outcome: 'retryable', reason: `server error ${status}`, status };
	}
	if (error instanceof RateLimitError) {
		return { outcome: 'retryable', reason: `rate limited (retry after ${(error.retryAfter / 1000).toFixed(1)} s)`, retryAfterMs: error.retryAfter };
	}
	const network = networkCode(error);
	if (network && CONNECTION_LOST.has(network)) return { outcome: 'retryable', reason: `connection lost (${network})`, code: network };
	if (network) return { outcome: 'retryable', reason: `Discord unreachable (${network})`, code: network, reachedDiscord: !NEVER_CONNECTED.has(network) };
	if (err?.name === 'AbortError' || err?.name === 'TimeoutError') return { outcome: 'retryable', reason: 'request aborted (timeout)' };
	// Unknown failures are retried with backoff: losing reports to a transient oddity is worse than waiting.
	const message = typeof err?.message === 'string' ? err.message.split('\n')[0] : String(error);
	return { outcome: 'retryable', reason: `send failed: ${message}` };
}

/** ECONNREFUSED & co, wherever undici/node put it (the error, its cause, or an AggregateError's parts). */
function networkCode(error: unknown, depth = 0): string | undefined {
	if (!error || typeof error !== 'object' || depth > 4) return undefined;
	const { code, cause, errors, message } = error as { code?: unknown; cause?: unknown; errors?: unknown; message?: unknown };
	if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
	if (typeof message === 'string') {
		const match = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b/.exec(message);
		if (match) return match[1];
	}
	if (Array.isArray(errors)) for (const part of errors) {
		const found = networkCode(part, depth + 1);
		if (found) return found;
	}
	return networkCode(cause, depth + 1);
}
