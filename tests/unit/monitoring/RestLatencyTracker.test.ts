import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { attachToRest, networkErrorCode, RestLatencyTracker, type RestResponseInfo } from '#lib/monitoring/RestLatencyTracker.js';
import { restRouteClass } from '#lib/monitoring/restRouteClass.js';

describe('restRouteClass', () => {
	it('maps Discord routes to a small fixed set without ids or tokens', () => {
		expect(restRouteClass('https://discord.com/api/v10/channels/1419516681427882115/messages')).toBe('messages');
		expect(restRouteClass('/channels/1419516681427882115')).toBe('channels');
		expect(restRouteClass('http://127.0.0.1:4000/api/v10/interactions/123/aW50ZXJhY3Rpb24/callback?with_response=false')).toBe('interactions');
		expect(restRouteClass('/webhooks/1/token/messages/@original')).toBe('webhooks');
		expect(restRouteClass('/applications/1/guilds/2/commands')).toBe('commands');
		expect(restRouteClass('/applications/1')).toBe('other');
		expect(restRouteClass('/guilds/1/members/2')).toBe('guilds');
		expect(restRouteClass('/users/%40me')).toBe('users');
		expect(restRouteClass('/gateway/bot')).toBe('gateway');
		expect(restRouteClass('/stickers/5')).toBe('other');
	});
});

describe('RestLatencyTracker', () => {
	it('keeps p50/p95 over its window and separates uploads', () => {
		let now = 0;
		const tracker = new RestLatencyTracker({ windowMs: 60_000, now: () => now });
		for (let index = 1; index <= 100; index++) {
			tracker.recordResponse(index, 200);
			now += 100;
		}
		tracker.recordResponse(5000, 200, { upload: true });
		let stats = tracker.stats();
		expect(stats).toMatchObject({ count: 100, p50Ms: 50, p95Ms: 95, maxMs: 100, reachability: 'reachable' });
		expect(stats.uploads).toEqual({ count: 1, p95Ms: 5000 });
		now += 60_001;
		stats = tracker.stats();
		expect(stats.count).toBe(0);
		expect(stats.p95Ms).toBeNaN();
	});

	it('tells reachable, degraded (5xx) and unreachable (connection errors) apart', () => {
		let now = 0;
		const tracker = new RestLatencyTracker({ now: () => ++now });
		expect(tracker.reachability()).toBe('unknown');
		tracker.recordResponse(50, 404);
		expect(tracker.reachability()).toBe('reachable');
		tracker.recordResponse(50, 502);
		expect(tracker.reachability()).toBe('degraded');
		tracker.recordFailure(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) }));
		expect(tracker.reachability()).toBe('unreachable');
		expect(tracker.stats()).toMatchObject({ consecutiveFailures: 2, lastFailure: { code: 'ECONNREFUSED' } });
		tracker.recordResponse(40, 429);
		expect(tracker.stats()).toMatchObject({ reachability: 'reachable', consecutiveFailures: 0, responses: { ok: 0, clientError: 1, rateLimited: 1, serverError: 1, networkError: 1 } });
	});

	it('finds the network error code wherever undici puts it', () => {
		expect(networkErrorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
		expect(networkErrorCode(new AggregateError([Object.assign(new Error('a'), { code: 'ENETUNREACH' })]))).toBe('ENETUNREACH');
		expect(networkErrorCode(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe('TIMEOUT');
		expect(networkErrorCode('weird')).toBe('NETWORK_ERROR');
	});
});

describe('attachToRest with a real discord.js REST manager', () => {
	let server: Server | undefined;
	let rest: REST | undefined;
	afterEach(() => {
		rest?.clearHashSweeper();
		rest?.clearHandlerSweeper();
		server?.closeAllConnections();
		server?.close();
	});

	it('times our real requests, classifies routes and uploads, and sees ECONNREFUSED as unreachable', async () => {
		server = createServer((request, response) => {
			const reply = () => {
				if (request.url?.startsWith('/api/v10/users/')) return response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"1"}');
				if (request.url?.includes('/messages')) return response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"2"}');
				response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Unknown","code":0}');
			};
			request.resume();
			request.on('end', () => setTimeout(reply, 40));
		});
		await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;

		const seen: RestResponseInfo[] = [];
		const failures: string[] = [];
		const tracker = new RestLatencyTracker({ onResponse: (info) => seen.push(info), onFailure: (code, routeClass) => failures.push(`${code} ${routeClass}`) });
		rest = new REST({ api: `http://127.0.0.1:${port}/api`, retries: 0, timeout: 5000 }).setToken('test-token');
		const detach = attachToRest(rest, tracker);

		await rest.get('/users/@me');
		await rest.post('/channels/1419516681427882115/messages', { body: { content: 'chart' }, files: [{ name: 'chart.png', data: Buffer.alloc(2048) }] });
		await expect(rest.get('/guilds/1/members/2')).rejects.toThrow();

		let stats = tracker.stats();
		expect(stats.count).toBe(2);
		expect(stats.p50Ms).toBeGreaterThanOrEqual(35);
		expect(stats.uploads.count).toBe(1);
		expect(stats.reachability).toBe('reachable');
		expect(seen.map((info) => [info.method, info.routeClass, info.status, info.upload])).toEqual([
			['GET', 'users', 200, false],
			['POST', 'messages', 200, true],
			['GET', 'guilds', 404, false]
		]);

		server.closeAllConnections();
		await new Promise((resolve) => server!.close(resolve));
		server = undefined;
		// The first request may still go to a pooled keep-alive socket (UND_ERR_SOCKET), the next is refused.
		await expect(rest.get('/users/@me')).rejects.toThrow();
		await expect(rest.get('/users/@me')).rejects.toThrow();
		stats = tracker.stats();
		expect(stats.reachability).toBe('unreachable');
		expect(stats.lastFailure?.code).toBe('ECONNREFUSED');
		expect(failures.at(-1)).toBe('ECONNREFUSED users');

		detach();
		const before = tracker.stats().responses.networkError;
		await expect(rest.get('/users/@me')).rejects.toThrow();
		expect(tracker.stats().responses.networkError).toBe(before);
	});
});
