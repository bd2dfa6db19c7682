import type { UploadedFile } from './types.js';

export interface RestRequest {
	method: string;
	/** Decoded path below /api/vN. */
	path: string;
	/** Values of the pattern's :params, in order. */
	params: string[];
	query: Record<string, string>;
	body: unknown;
	files: UploadedFile[];
	route: string;
}

export interface RestResponse {
	status: number;
	/** JSON body; omitted for 204. */
	body?: unknown;
	headers?: Record<string, string>;
}

export type RouteHandler = (req: RestRequest) => RestResponse | Promise<RestResponse>;

export interface RouteDefinition {
	method: string;
	/** e.g. '/channels/:id/messages'; literal segments like '@me' match exactly. */
	pattern: string;
	handler: RouteHandler;
	/** Interaction callbacks and webhook-token routes need no bot token and are not globally limited. */
	tokenRoute?: boolean;
}

export interface RouteMatch {
	definition: RouteDefinition;
	params: string[];
	/** 'METHOD /pattern', the key used by faults and rate limits. */
	route: string;
	/** Major parameter of the bucket (channel, guild or webhook id). */
	major: string;
}

const MAJOR_ROOTS = new Set(['channels', 'guilds', 'webhooks', 'interactions']);

/** Segment-wise matcher; earlier definitions win, so literal routes go before :param ones. */
export class RestRouter {
	private readonly definitions: Array<RouteDefinition & { segments: string[] }> = [];

	public add(definition: RouteDefinition): this {
		this.definitions.push({ ...definition, segments: definition.pattern.split('/').filter(Boolean) });
		return this;
	}

	public match(method: string, segments: readonly string[]): RouteMatch | null {
		for (const definition of this.definitions) {
			if (definition.method !== method || definition.segments.length !== segments.length) continue;
			const params: string[] = [];
			let ok = true;
			for (let i = 0; i < segments.length; i++) {
				const expected = definition.segments[i];
				if (expected.startsWith(':')) params.push(segments[i]);
				else if (expected !== segments[i]) {
					ok = false;
					break;
				}
			}
			if (ok) return { definition, params, route: `${method} ${definition.pattern}`, major: majorParameter(segments) };
		}
		return null;
	}
}

/** Route key for paths no definition matches: numeric segments become :id. */
export function unmatchedRoute(method: string, segments: readonly string[]): string {
	return `${method} /${segments.map((s) => (/^\d{15,21}$/.test(s) ? ':id' : s)).join('/')}`;
}

export function majorParameter(segments: readonly string[]): string {
	if (segments.length >= 2 && MAJOR_ROOTS.has(segments[0])) {
		return segments[0] === 'webhooks' || segments[0] === 'interactions' ? `${segments[1]}/${segments[2] ?? ''}` : segments[1];
	}
	return 'global';
}

export function discordError(status: number, code: number, message: string): RestResponse {
	return { status, body: { message, code } };
}
