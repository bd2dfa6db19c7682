import { restRouteClass, type RestRouteClass } from './restRouteClass.js';
import { TimedSamples } from './TimedSamples.js';

export type ApiReachability = 'unknown' | 'reachable' | 'degraded' | 'unreachable';

export interface RestLatencyStats {
	windowMs: number;
	/** Requests without file uploads: what the latency alert watches (uploads scale with file size). */
	count: number;
	p50Ms: number;
	p95Ms: number;
	maxMs: number;
	uploads: { count: number; p95Ms: number };
	reachability: ApiReachability;
	lastSuccessAt: number | null;
	lastFailureAt: number | null;
	lastFailure: { code: string; message: string } | null;
	consecutiveFailures: number;
	/** Totals since start by outcome. */
	responses: { ok: number; clientError: number; rateLimited: number; serverError: number; networkError: number };
}

export interface RestResponseInfo {
	durationMs: number;
	routeClass: RestRouteClass;
	method: string;
	status: number;
	upload: boolean;
}

export interface RestLatencyTrackerOptions {
	/** Window for p50/p95. */
	windowMs?: number;
	/** Max samples kept (bounded memory: 16 bytes each per buffer). */
	capacity?: number;
	now?: () => number;
	/** Called for every completed request (e.g. to feed the Prometheus histogram). */
	onResponse?: (info: RestResponseInfo) => void;
	/** Called for every request that got no response, with its error code (ECONNREFUSED, TIMEOUT...). */
	onFailure?: (code: string, routeClass: RestRouteClass) => void;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']);

/**
 * Round-trip time of OUR real REST requests to Discord (no synthetic pings), and whether the API
 * answers at all. Fed by `attachToRest(rest, tracker)`; every record is O(1) with no allocation.
 */
export class RestLatencyTracker {
	private readonly windowMs: number;
	private readonly now: () => number;
	private readonly onResponse: ((info: RestResponseInfo) => void) | undefined;
	private readonly onFailure: ((code: string, routeClass: RestRouteClass) => void) | undefined;
	private readonly plain: TimedSamples;
	private readonly uploads: TimedSamples;
	private lastSuccessAt: number | null = null;
	private lastFailureAt: number | null = null;
	private lastFailure: { code: string; message: string } | null = null;
	/** Outcome of the most recent request (order matters, not timestamps: two can share a millisecond). */
	private lastOutcome: 'none' | 'answered' | 'serverError' | 'network' = 'none';
	private consecutiveFailures = 0;
	private readonly responses = { ok: 0, clientError: 0, rateLimited: 0, serverError: 0, networkError: 0 };

	public constructor(options: RestLatencyTrackerOptions = {}) {
		this.windowMs = options.windowMs ?? 5 * 60_000;
		this.now = options.now ?? Date.now;
		this.onResponse = options.onResponse;
		this.onFailure = options.onFailure;
		const capacity = options.capacity ?? 2048;
		this.plain = new TimedSamples(capacity);
		this.uploads = new TimedSamples(Math.max(16, capacity >> 2));
	}

	/** A response arrived (any status: a 4xx still proves the API is reachable). */
	public recordResponse(durationMs: number, status: number, details: { routeClass?: RestRouteClass; method?: string; upload?: boolean } = {}): void {
		const at = this.now();
		const upload = details.upload ?? false;
		(upload ? this.uploads : this.plain).record(durationMs, at);
		this.lastOutcome = status >= 500 ? 'serverError' : 'answered';
		if (status >= 500) {
			this.responses.serverError++;
			this.consecutiveFailures++;
			this.lastFailureAt = at;
			this.lastFailure = { code: `HTTP_${status}`, message: `Discord answered ${status}` };
		} else {
			this.consecutiveFailures = 0;
			this.lastSuccessAt = at;
			if (status === 429) this.responses.rateLimited++;
			else if (status >= 400) this.responses.clientError++;
			else this.responses.ok++;
		}
		this.onResponse?.({ durationMs, routeClass: details.routeClass ?? 'other', method: details.method ?? 'GET', status, upload });
	}

	/** The request failed before any response (connection refused, DNS, timeout). */
	public recordFailure(error: unknown, routeClass: RestRouteClass = 'other'): void {
		this.responses.networkError++;
		this.consecutiveFailures++;
		this.lastOutcome = 'network';
		this.lastFailureAt = this.now();
		this.lastFailure = { code: networkErrorCode(error), message: String((error as Error)?.message ?? error).slice(0, 200) };
		this.onFailure?.(this.lastFailure.code, routeClass);
	}

	public reachability(): ApiReachability {
		switch (this.lastOutcome) {
			case 'none':
				return 'unknown';
			case 'answered':
				return 'reachable';
			case 'serverError':
				return 'degraded';
			case 'network':
				return 'unreachable';
		}
	}

	public stats(): RestLatencyStats {
		const since = this.now() - this.windowMs;
		const plain = this.plain.stats(since);
		const uploads = this.uploads.stats(since);
		return {
			windowMs: this.windowMs,
			count: plain.count,
			p50Ms: plain.p50,
			p95Ms: plain.p95,
			maxMs: plain.max,
			uploads: { count: uploads.count, p95Ms: uploads.p95 },
			reachability: this.reachability(),
			lastSuccessAt: this.lastSuccessAt,
			lastFailureAt: this.lastFailureAt,
			lastFailure: this.lastFailure,
			consecutiveFailures: this.consecutiveFailures,
			responses: { ...this.responses }
		};
	}
}

/** ECONNREFUSED & co., wherever undici/fetch put it (error.code, error.cause.code, AggregateError). */
export function networkErrorCode(error: unknown): string {
	const seen = new Set<unknown>();
	const queue: unknown[] = [error];
	while (queue.length > 0) {
		const current = queue.shift() as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown } | null;
		if (!current || typeof current !== 'object' || seen.has(current)) continue;
		seen.add(current);
		if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) return current.code;
		if (current.name === 'AbortError' || current.name === 'TimeoutError') return 'TIMEOUT';
		if (current.cause) queue.push(current.cause);
		if (Array.isArray(current.errors)) queue.push(...current.errors);
	}
	const code = (error as { code?: unknown })?.code;
	return typeof code === 'string' ? code : 'NETWORK_ERROR';
}

/** Structural slice of @discordjs/rest's REST that we need (its `options.makeRequest`). */
export interface RestLike {
	readonly options: { makeRequest: (url: string, init: never) => Promise<{ status: number }> };
}

/**
 * Times every real request of a discord.js REST manager (`client.rest`) and reports failures.
 *
 * Why wrap `options.makeRequest` instead of listening to REST's `response` event: in
 * @discordjs/rest 2.6 that event is `(request: APIRequest, response: ResponseLike)` with no
 * timing, it never fires for connection errors (ECONNREFUSED throws before it), and having a
 * listener makes the library `clone()` every response. makeRequest is looked up on each call,
 * so swapping it after construction is enough. Returns a function that restores the original.
 */
export function attachToRest(rest: RestLike, tracker: RestLatencyTracker): () => void {
	const options = rest.options as unknown as { makeRequest: (url: string, init: RequestInitLike) => Promise<{ status: number }> };
	const original = options.makeRequest;
	const timed = async (url: string, init: RequestInitLike) => {
		const started = performance.now();
		try {
			const response = await original(url, init);
			tracker.recordResponse(performance.now() - started, response.status, {
				routeClass: restRouteClass(url),
				method: (init?.method ?? 'GET').toUpperCase(),
				upload: isUpload(init?.body)
			});
			return response;
		} catch (error) {
			// Includes discord.js's own request-timeout abort (it cannot be told apart from a caller's
			// abort, which the bot never does), reported as TIMEOUT.
			tracker.recordFailure(error, restRouteClass(url));
			throw error;
		}
	};
	options.makeRequest = timed;
	return () => {
		if (options.makeRequest === timed) options.makeRequest = original;
	};
}

interface RequestInitLike {
	method?: string;
	body?: unknown;
}

function isUpload(body: unknown): boolean {
	return typeof FormData !== 'undefined' && body instanceof FormData;
}

