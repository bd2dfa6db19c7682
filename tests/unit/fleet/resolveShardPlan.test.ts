import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchGatewayBot, GatewayBotError } from '#lib/fleet/fetchGatewayBot.js';
import { resolveShardPlan } from '#lib/fleet/resolveShardPlan.js';

/** A local GET /api/v10/gateway/bot; `answers` is consumed in order (then 200). */
let server: Server;
let apiUrl: string;
const seen: { path: string; auth?: string }[] = [];
let answers: number[] = [];

beforeAll(async () => {
	server = createServer((req, res) => {
		seen.push({ path: req.url!, auth: req.headers.authorization });
		const status = answers.shift() ?? 200;
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(status === 200 ? JSON.stringify({ url: 'ws://x', shards: 4, session_start_limit: { total: 1000, remaining: 999, reset_after: 1, max_concurrency: 16 } }) : '{"message":"no"}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const log = { info: () => undefined, warn: () => undefined };

describe('fetchGatewayBot / resolveShardPlan', () => {
	it('asks {DISCORD_API_URL}/v10/gateway/bot with the bot token', async () => {
		seen.length = 0;
		expect(await fetchGatewayBot({ apiUrl: `${apiUrl}/`, token: 'Bot abc.def' })).toEqual({ shards: 4, maxConcurrency: 16 });
		expect(seen).toEqual([{ path: '/api/v10/gateway/bot', auth: 'Bot abc.def' }]);
	});

	it('auto: the recommended count and concurrency; retries through failures, gives up at once on 401', async () => {
		answers = [502, 503];
		const waits: number[] = [];
		const plan = await resolveShardPlan({ shardCount: 'auto', apiUrl, token: 't', log, sleep: async (ms) => void waits.push(ms) });
		expect(plan).toEqual({ totalShards: 4, maxConcurrency: 16 });
		expect(waits).toEqual([1000, 2000]);
		answers = [401];
		await expect(resolveShardPlan({ shardCount: undefined, apiUrl, token: 't', log })).rejects.toThrow(GatewayBotError);
	});

	it('a fixed SHARD_COUNT: Discord only sizes the identify batches; unreachable means one at a time', async () => {
		expect(await resolveShardPlan({ shardCount: 3, apiUrl, token: 't', log })).toEqual({ totalShards: 3, maxConcurrency: 16 });
		expect(await resolveShardPlan({ shardCount: 3, apiUrl: 'http://127.0.0.1:1/api', token: 't', log })).toEqual({ totalShards: 3, maxConcurrency: 1 });
	});

	it('auto stops asking once a signal arrived', async () => {
		let stopped = false;
		const plan = await resolveShardPlan({ shardCount: 'auto', apiUrl: 'http://127.0.0.1:1/api', token: 't', log, stopped: () => stopped, sleep: async () => void (stopped = true) });
		expect(plan).toBeUndefined();
	});
});
