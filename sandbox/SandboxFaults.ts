/** A route filter: undefined matches every route, otherwise the exact template ('POST /channels/:id/messages'). */
export type RouteFilter = string | undefined;

interface Armed5xx {
	route: RouteFilter;
	remaining: number;
	status: number;
}

interface Armed429 {
	route: RouteFilter;
	remaining: number;
	retryAfterMs: number;
	global: boolean;
}

export interface SandboxFaultControls {
	outage(): Promise<void>;
	recover(): Promise<void>;
	closeGateway(code: number, shardId?: number): void;
	reconnect(shardId?: number): void;
	invalidateSession(shardId?: number): void;
}

/**
 * Fault injection for tests and the demo. REST faults are armed with a count and consumed by the
 * next matching requests, in the order 429 first, then 5xx.
 */
export class SandboxFaults {
	/** Added before every REST response is sent. */
	public latencyMs = 0;
	private readonly failures: Armed5xx[] = [];
	private readonly rateLimits: Armed429[] = [];

	public constructor(private readonly controls: SandboxFaultControls) {}

	/** The next `count` requests on `route` (any route when omitted) answer `status` (default 500). */
	public fail5xx(o: { route?: string; count: number; status?: number }): void {
		this.failures.push({ route: o.route, remaining: o.count, status: o.status ?? 500 });
	}

	/** The next `count` requests on `route` answer 429 with Retry-After; `global` adds X-RateLimit-Global. */
	public rateLimit(o: { route?: string; count: number; retryAfterMs: number; global?: boolean }): void {
		this.rateLimits.push({ route: o.route, remaining: o.count, retryAfterMs: o.retryAfterMs, global: o.global ?? false });
	}

	/** Stop listening: new connections are refused, open sockets destroyed, gateway sockets dropped (1006). */
	public outage(): Promise<void> {
		return this.controls.outage();
	}

	/** Listen again on the same port. */
	public recover(): Promise<void> {
		return this.controls.recover();
	}

	/** Close gateway sockets with `code` (default 4000: the client resumes). */
	public closeGateway(code = 4000, shardId?: number): void {
		this.controls.closeGateway(code, shardId);
	}

	/** Send op 7 Reconnect: the client reconnects and resumes. */
	public reconnect(shardId?: number): void {
		this.controls.reconnect(shardId);
	}

	/** Send op 9 (not resumable): the client must IDENTIFY again (discord.js waits ~5 s first). */
	public invalidateSession(shardId?: number): void {
		this.controls.invalidateSession(shardId);
	}

	/** Forget armed 5xx/429 faults and latency. */
	public clear(): void {
		this.failures.length = 0;
		this.rateLimits.length = 0;
		this.latencyMs = 0;
	}

	/** @internal consumed by the REST pipeline */
	public take429(route: string): { retryAfterMs: number; global: boolean } | null {
		const armed = takeArmed(this.rateLimits, route);
		return armed ? { retryAfterMs: armed.retryAfterMs, global: armed.global } : null;
	}

	/** @internal consumed by the REST pipeline */
	public take5xx(route: string): number | null {
		return takeArmed(this.failures, route)?.status ?? null;
	}
}

function takeArmed<T extends { route: RouteFilter; remaining: number }>(list: T[], route: string): T | null {
	const index = list.findIndex((armed) => armed.remaining > 0 && (armed.route === undefined || armed.route === route));
	if (index < 0) return null;
	const armed = list[index];
	armed.remaining--;
	if (armed.remaining <= 0) list.splice(index, 1);
	return armed;
}
