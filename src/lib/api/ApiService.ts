import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Service } from '#lib/ServiceRegistry.js';

/** The parts of @sapphire/plugin-api's Server this service drives. */
export interface ApiServerHandle {
	readonly server: HttpServer;
	connect(): Promise<void>;
	disconnect(): Promise<void>;
	/** The plugin re-emits socket errors here; with no listener its emitter would throw them. */
	on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface ApiServiceOptions {
	server: ApiServerHandle;
	log: { info: (message: string) => void; warn: (message: string) => void };
	/** While the port is taken (the previous process of a restart still closing), retry this often. Default 1 s. */
	retryMs?: number;
	/** Requests still running at stop get this long before their sockets are cut. Default 1 s. */
	drainMs?: number;
	/**
	 * True once the plugin's request listener is loaded (Sapphire loads pieces inside login(), after
	 * services start). Until then requests get 503 "starting" instead of hanging unanswered.
	 */
	ready?: () => boolean;
}

/**
 * Owns the HTTP API's listening socket. The plugin would listen in its pre-login hook, but that
 * hook runs again on every login retry (listen twice = crash) and nothing closes the socket at
 * shutdown; so the plugin is told not to connect and this service listens at start (before
 * login, so /api/health can answer 503 while Discord is unreachable) and closes at stop.
 * A port in use is not fatal: the bot's Discord work matters more than its metrics endpoint, so
 * we warn and retry in the background (a pm2 restart can overlap the old process for a moment).
 */
export class ApiService implements Service {
	public readonly name = 'api';
	private readonly retryMs: number;
	private readonly drainMs: number;
	private retryTimer: NodeJS.Timeout | undefined;
	private stopped = false;
	private warned = false;

	public constructor(private readonly options: ApiServiceOptions) {
		this.retryMs = options.retryMs ?? 1000;
		this.drainMs = options.drainMs ?? 1000;
		// Listen errors are handled in listen(); without this listener the plugin's emitter would rethrow them as uncaught.
		options.server.on('error', () => undefined);
		const ready = options.ready;
		if (ready) {
			options.server.server.on('request', (_request, response) => {
				if (ready() || response.headersSent) return;
				response.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1', 'Cache-Control': 'no-store' });
				response.end(JSON.stringify({ status: 'starting' }));
			});
		}
	}

	/** `http://host:port` once listening, else undefined. */
	public get url(): string | undefined {
		const address = this.options.server.server.address() as AddressInfo | string | null;
		if (!address || typeof address === 'string') return undefined;
		const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
		return `http://${host}:${address.port}`;
	}

	public async start(): Promise<void> {
		this.stopped = false;
		await this.listen();
	}

	public async stop(signal?: AbortSignal): Promise<void> {
		this.stopped = true;
		clearTimeout(this.retryTimer);
		const http = this.options.server.server;
		if (!http.listening) return;
		const closed = this.options.server.disconnect();
		// Keep-alive sockets with no request in flight would hold close() open until they time out.
		http.closeIdleConnections();
		const cut = setTimeout(() => http.closeAllConnections(), this.drainMs);
		const onAbort = () => http.closeAllConnections();
		signal?.addEventListener('abort', onAbort, { once: true });
		try {
			await closed;
		} finally {
			clearTimeout(cut);
			signal?.removeEventListener('abort', onAbort);
		}
	}

	private async listen(): Promise<void> {
		try {
			await this.options.server.connect();
			this.options.log.info(`Nexus API listening on ${this.url}`);
			this.warned = false;
		} catch (error) {
			const code = (error as { code?: string }).code;
			if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw error;
			if (!this.warned) this.options.log.warn(`Nexus API cannot listen yet (${code}); retrying every ${this.retryMs} ms.`);
			this.warned = true;
			if (this.stopped) return;
			this.retryTimer = setTimeout(() => void this.listen().catch((next: Error) => this.options.log.warn(`Nexus API failed to listen: ${next.message}`)), this.retryMs);
			this.retryTimer.unref();
		}
	}
}
