import { Agent, createServer, request } from 'node:http';
import { Server } from '@sapphire/plugin-api';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiService } from '#lib/api/ApiService.js';

const servers: { stop(): Promise<void> | void }[] = [];
afterEach(async () => {
	for (const server of servers.splice(0)) await server.stop();
});

function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const probe = createServer().listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

/** The plugin's real Server (no pieces loaded: only what ApiService drives), answering through a plain handler. */
function pluginServer(port: number, handler?: Parameters<ReturnType<typeof createServer>['on']>[1]) {
	const server = new Server({ listenOptions: { host: '127.0.0.1', port }, automaticallyConnect: false });
	if (handler) server.server.on('request', handler);
	return server;
}

function get(port: number, agent?: Agent): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
			let body = '';
			res.on('data', (chunk) => (body += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		});
		req.on('error', reject);
		req.end();
	});
}

const quietLog = () => {
	const lines: string[] = [];
	return { lines, info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
};

describe('ApiService', () => {
	it('listens at start and frees the port at stop, even with an idle keep-alive connection', async () => {
		const port = await freePort();
		const log = quietLog();
		const service = new ApiService({ server: pluginServer(port, (_req, res) => res.end('hi')), log });
		await service.start();
		expect(service.url).toBe(`http://127.0.0.1:${port}`);
		expect(log.lines).toContain(`info Nexus API listening on http://127.0.0.1:${port}`);
		const agent = new Agent({ keepAlive: true });
		expect(await get(port, agent)).toEqual({ status: 200, body: 'hi' });

		const started = performance.now();
		await service.stop();
		expect(performance.now() - started).toBeLessThan(500);
		await expect(get(port)).rejects.toThrow(/ECONNREFUSED/);
		// The port is really free: something else can bind it at once.
		const other = createServer().listen(port, '127.0.0.1');
		await new Promise((resolve) => other.once('listening', resolve));
		other.close();
		agent.destroy();
	});

	it('cuts a request still running after the drain time', async () => {
		const port = await freePort();
		const service = new ApiService({ server: pluginServer(port, () => undefined /* never answers */), log: quietLog(), drainMs: 100 });
		await service.start();
		const pending = get(port).catch((error: Error) => error.message);
		await new Promise((resolve) => setTimeout(resolve, 50));
		const started = performance.now();
		await service.stop();
		expect(performance.now() - started).toBeLessThan(1000);
		expect(await pending).toMatch(/socket hang up|ECONNRESET/);
	});

	it('does not fail the boot when the port is taken: warns once, retries, listens when it frees', async () => {
		const port = await freePort();
		const squatter = createServer().listen(port, '127.0.0.1');
		await new Promise((resolve) => squatter.once('listening', resolve));
		const log = quietLog();
		const service = new ApiService({ server: pluginServer(port, (_req, res) => res.end('ok')), log, retryMs: 50 });
		servers.push(service);
		await service.start();
		expect(service.url).toBeUndefined();
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(log.lines.filter((line) => line.startsWith('warn'))).toEqual([expect.stringContaining('EADDRINUSE')]);
		await new Promise((resolve) => squatter.close(resolve));
		await expect.poll(() => service.url, { timeout: 2000 }).toBe(`http://127.0.0.1:${port}`);
		expect((await get(port)).body).toBe('ok');
	});

	it('answers 503 "starting" until the routes are loaded', async () => {
		const port = await freePort();
		let ready = false;
		const service = new ApiService({ server: pluginServer(port, (_req, res) => (ready ? res.end('routed') : undefined)), log: quietLog(), ready: () => ready });
		servers.push(service);
		await service.start();
		expect(await get(port)).toEqual({ status: 503, body: '{"status":"starting"}' });
		ready = true;
		expect(await get(port)).toEqual({ status: 200, body: 'routed' });
	});

	it('retries an address not (yet) on this host, but fails start() on any other listen error', async () => {
		const log = quietLog();
		const server = new Server({ listenOptions: { host: '203.0.113.254', port: await freePort() }, automaticallyConnect: false });
		const service = new ApiService({ server, log, retryMs: 10_000 });
		await service.start();
		expect(log.lines).toEqual([expect.stringMatching(/^warn .*EADDRNOTAVAIL/)]);
		await service.stop();
		const badPort = new ApiService({ server: new Server({ listenOptions: { host: '127.0.0.1', port: 70000 }, automaticallyConnect: false }), log: quietLog() });
		await expect(badPort.start()).rejects.toThrow(/port/i);
	});
});
