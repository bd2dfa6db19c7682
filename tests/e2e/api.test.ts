import { connect } from 'node:net';
import { Agent, request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REDIS_URL, OWNER_ID } from '../../scripts/support/botProcess.js';
import { apiEnv, bearer, eventually, sampleSum, scrape, trafficTargets, type ApiEnv } from './support/api.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let api: ApiEnv;

beforeAll(async () => {
	api = await apiEnv();
	stack = await startStack({ env: { ...api.env, REDIS_URL: LOCAL_REDIS_URL, MONITOR_DISCORD_INTERVAL_MS: '500', MONITOR_PROCESS_INTERVAL_MS: '500', MONITOR_SYSTEM_INTERVAL_MS: '1000' } });
	await stack.bot.waitForLine(/Nexus API listening on http:\/\/127\.0\.0\.1:/, 10_000);
});

afterAll(async () => {
	await stack?.stop();
});

const SNOWFLAKE = /^\d{15,20}$/;

describe('Prometheus /metrics', () => {
	it('exposes the nexus_* series and Node defaults with the registry content type', async () => {
		const response = await fetch(`${api.base}/metrics`, { headers: bearer(api.token) });
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
		const { families, text } = await scrape(api);
		const names = new Set(families.map((family) => family.name));
		for (const name of [
			'nexus_gateway_events_total',
			'nexus_commands_total',
			'nexus_command_duration_seconds',
			'nexus_gateway_latency_seconds',
			'nexus_rest_latency_seconds',
			'nexus_reporter_sends_total',
			'nexus_reporter_queue_depth',
			'nexus_reporter_spool_bytes',
			'nexus_image_cache_hits_total',
			'nexus_image_cache_misses_total',
			'nexus_health_score',
			'nexus_api_requests_total',
			'nexus_api_request_duration_seconds',
			'process_resident_memory_bytes',
			'nodejs_heap_size_used_bytes'
		])
			expect(names, name).toContain(name);
		for (const histogram of ['nexus_command_duration_seconds', 'nexus_rest_latency_seconds', 'nexus_api_request_duration_seconds']) expect(text).toContain(`# TYPE ${histogram} histogram`);
		expect(text).toContain('# TYPE nexus_gateway_events_total counter');
		// The latency gauge is fed by the discord sampler (every 500 ms here) once the heartbeat measured a ping.
		await eventually(async () => sampleSum(await scrape(api), 'nexus_discord_guilds') === 1);
	});

	it('moves when traffic is injected through the sandbox', async () => {
		const { guildId, channelIds, memberIds } = trafficTargets(stack);
		const before = await scrape(api);
		const messagesBefore = sampleSum(before, 'nexus_gateway_events_total', { type: 'MESSAGE_CREATE' });
		const commandsBefore = sampleSum(before, 'nexus_commands_total', { command: 'nexus status' });
		const restBefore = sampleSum(before, 'nexus_rest_latency_seconds_count');
		// The bot's own posts (a report, say) come back as MESSAGE_CREATE too, as on Discord.
		const botPosts = () => stack.sandbox.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path) && r.status === 200).length;
		const botPostsBefore = botPosts();
		const sent = 25;
		for (let i = 0; i < sent; i++) stack.sandbox.sendMessage({ guildId, channelId: channelIds[i % channelIds.length]!, authorId: memberIds[i % memberIds.length]!, content: `hello ${i}` });
		const interaction = stack.sandbox.interact({ guildId, channelId: channelIds[0]!, userId: OWNER_ID, command: 'nexus', subcommand: 'status' });
		await interaction.waitForResponse(undefined, 20_000);

		const after = await eventually(async () => {
			const families = await scrape(api);
			const messages = sampleSum(families, 'nexus_gateway_events_total', { type: 'MESSAGE_CREATE' });
			const commands = sampleSum(families, 'nexus_commands_total', { command: 'nexus status' });
			return messages >= messagesBefore + sent && commands > commandsBefore ? families : undefined;
		});
		const counted = sampleSum(after, 'nexus_gateway_events_total', { type: 'MESSAGE_CREATE' }) - messagesBefore;
		expect(counted).toBeGreaterThanOrEqual(sent);
		expect(counted).toBeLessThanOrEqual(sent + botPosts() - botPostsBefore);
		expect(sampleSum(after, 'nexus_commands_total', { command: 'nexus status', status: 'success' })).toBe(commandsBefore + 1);
		expect(sampleSum(after, 'nexus_rest_latency_seconds_count')).toBeGreaterThan(restBefore);
		// Our own scrapes are counted, by route.
		expect(sampleSum(after, 'nexus_api_requests_total', { route: 'metrics', status: '200' })).toBeGreaterThanOrEqual(3);
	});

	it('keeps label cardinality bounded: no ids as labels, few series per family', async () => {
		const { guildId, channelIds } = trafficTargets(stack);
		// Only the families these inputs feed are counted, so series that unrelated samplers add meanwhile
		// (a first GC of a new kind, a new disk mount...) cannot make this test flaky.
		const fed = (family: { name: string }) => /^nexus_(gateway_events|api_request)/.test(family.name);
		const fedSeries = async () => (await scrape(api)).series.filter(fed).reduce((sum, family) => sum + family.metrics.length, 0);
		let unmatched = 0;
		const batch = async (offset: number) => {
			// 60 messages from 60 distinct never-seen authors, plus requests to 40 distinct unknown paths.
			for (let i = 0; i < 60; i++) stack.sandbox.sendMessage({ guildId, channelId: channelIds[i % channelIds.length]!, authorId: `4${String(10 ** 17 + offset + i).slice(1)}`, content: 'x' });
			await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${api.base}/probe/${900000000000000000 + offset + i}`, { headers: bearer(api.token) }).then((r) => r.text())));
			unmatched += 40;
			await eventually(async () => sampleSum(await scrape(api), 'nexus_api_requests_total', { route: 'unmatched' }) >= unmatched);
		};
		const seriesBefore = await fedSeries();
		await batch(0);
		const afterFirst = await fedSeries();
		await batch(1000);
		const afterSecond = await fedSeries();
		// 100 distinct ids went in: at most a handful of new series (the first 404, its duration histogram).
		expect(afterFirst - seriesBefore).toBeLessThan(20);
		// 100 more distinct ids: not one new series. Cardinality does not grow with ids.
		expect(afterSecond).toBe(afterFirst);

		const scraped = await scrape(api);
		const families = scraped.series;
		for (const family of families) {
			for (const sample of family.metrics) {
				for (const [label, value] of Object.entries(sample.labels ?? {})) expect(value, `${family.name}{${label}}`).not.toMatch(SNOWFLAKE);
			}
			// A histogram's _bucket family has one series per bucket bound, so its limit is per (route/command, le).
			if (family.name.startsWith('nexus_')) expect(family.metrics.length, family.name).toBeLessThanOrEqual(family.name.endsWith('_bucket') ? 200 : 40);
		}
		expect(sampleSum(scraped, 'nexus_api_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(80);
		// Per route, not per path: the 80 distinct paths are one series.
		expect(scraped.series.find((family) => family.name === 'nexus_api_requests_total')!.metrics.filter((sample) => sample.labels?.route === 'unmatched')).toHaveLength(1);
	});
});

describe('authentication', () => {
	const attempts: [string, Record<string, string>][] = [
		['no header', {}],
		['wrong token', { Authorization: 'Bearer not-the-token-0123456789' }],
		['token with a suffix', {}],
		['right token, Basic scheme', {}],
		['empty bearer', { Authorization: 'Bearer ' }]
	];

	it.each(['/metrics', '/api/metrics', '/api/health'])('%s answers 401 with nothing leaked', async (path) => {
		attempts[2]![1] = { Authorization: `Bearer ${api.token}x` };
		attempts[3]![1] = { Authorization: `Basic ${Buffer.from(`nexus:${api.token}`).toString('base64')}` };
		for (const [what, headers] of attempts) {
			const response = await fetch(`${api.base}${path}`, { headers });
			const body = await response.text();
			expect(response.status, what).toBe(401);
			expect(JSON.parse(body), what).toEqual({ error: 'unauthorized' });
			expect(response.headers.get('content-type')).toMatch(/^application\/json/);
			expect(response.headers.get('www-authenticate')).toBe('Bearer');
			expect(response.headers.get('set-cookie')).toBeNull();
			expect(body).not.toContain(api.token.slice(8));
		}
	});

	it('the liveness check and the dashboard page need no token; the data does', async () => {
		const live = await fetch(`${api.base}/api/health/live`);
		expect(live.status).toBe(200);
		expect(await live.json()).toEqual({ status: 'ok' });
		const page = await fetch(`${api.base}/dashboard`);
		expect(page.status).toBe(200);
		expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
		const html = await page.text();
		expect(html).toContain('/dashboard/chart.js');
		expect(html).not.toContain(api.token);
		const chart = await fetch(`${api.base}/dashboard/chart.js`);
		expect(chart.status).toBe(200);
		expect(await chart.text()).toContain('Chart.js v4');
		expect((await fetch(`${api.base}/dashboard/..%2F..%2Fpackage.json`)).status).toBe(404);
		const root = await fetch(`${api.base}/`, { redirect: 'manual' });
		expect(root.status).toBe(302);
		expect(root.headers.get('location')).toBe('/dashboard');
	});

	it('with the token: /api/health 200 and /api/metrics grouped as system, discord, modules, web, health', async () => {
		const health = await fetch(`${api.base}/api/health`, { headers: bearer(api.token) });
		expect(health.status).toBe(200);
		expect(await health.json()).toMatchObject({ status: 'ok', checks: { gateway: { ok: true }, redis: { ok: true }, store: { ok: true } } });

		const metrics = await eventually(async () => {
			const body = (await (await fetch(`${api.base}/api/metrics`, { headers: bearer(api.token) })).json()) as Record<string, any>;
			return body.discord.guilds === 1 && body.history.discord.length > 0 ? body : undefined;
		});
		expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['system', 'discord', 'modules', 'web', 'health', 'history']));
		expect(metrics.system.uptimeSeconds).toBeGreaterThan(0);
		expect(metrics.system.memory.rssBytes).toBeGreaterThan(10e6);
		expect(metrics.discord.events.byType.MESSAGE_CREATE).toBeGreaterThanOrEqual(25);
		expect(metrics.discord.commands.byCommand).toEqual(expect.arrayContaining([expect.objectContaining({ command: 'nexus status' })]));
		expect(metrics.modules.reporter).toMatchObject({ enabled: true, queueDepth: expect.any(Number), spoolBytes: expect.any(Number) });
		expect(metrics.modules.stats).toMatchObject({ enabled: true, errorCount: 0 });
		expect(metrics.modules.monitor).toMatchObject({ enabled: true });
		expect(metrics.web.routes).toEqual(expect.arrayContaining([expect.objectContaining({ route: 'metrics' }), expect.objectContaining({ route: 'api/metrics' })]));
		expect(metrics.web.errorRate).toBeGreaterThan(0); // the 401s above
		expect(metrics.health).toMatchObject({ score: expect.any(Number), level: expect.stringMatching(/Excellent|Good|Fair|Poor|Critical/) });
		expect(metrics.history.discord.at(-1)).toMatchObject({ t: expect.any(Number), guilds: 1 });
		expect(JSON.stringify(metrics)).not.toContain('NaN');
	});
});

describe('network exposure', () => {
	it('listens on 127.0.0.1 only by default: the non-loopback address refuses the connection', async (context) => {
		const external = Object.values(networkInterfaces())
			.flat()
			.find((address) => address && address.family === 'IPv4' && !address.internal);
		if (!external) return context.skip(); // no non-loopback IPv4 on this machine: nothing to prove
		const outcome = await new Promise<string>((resolve) => {
			const socket = connect({ host: external.address, port: api.port });
			socket.setTimeout(3000, () => (socket.destroy(), resolve('timeout')));
			socket.once('connect', () => (socket.destroy(), resolve('connected')));
			socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
		});
		expect(outcome).toBe('ECONNREFUSED');
		// ...while loopback answers on the same port.
		expect((await fetch(`${api.base}/api/health/live`)).status).toBe(200);
	});
});

describe('shutdown', () => {
	it('closes the API on SIGTERM even with a keep-alive connection open, then exits 0', async () => {
		const agent = new Agent({ keepAlive: true, maxSockets: 1 });
		const get = () =>
			new Promise<number>((resolve, reject) => {
				const req = request(`${api.base}/api/health/live`, { agent }, (res) => {
					res.resume();
					res.on('end', () => resolve(res.statusCode ?? 0));
				});
				req.on('error', reject);
				req.end();
			});
		expect(await get()).toBe(200);
		const started = Date.now();
		stack.bot.kill('SIGTERM');
		await stack.bot.waitForLine(/Stopped api in \d+ ms/, 10_000);
		const exit = await stack.bot.exited;
		expect(exit.code).toBe(0);
		expect(Date.now() - started).toBeLessThan(10_000);
		agent.destroy();
		await expect(fetch(`${api.base}/api/health/live`)).rejects.toThrow();
	});
});
