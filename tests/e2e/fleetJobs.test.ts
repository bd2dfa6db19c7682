import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSandbox, seedGuild, shardForGuild, type RecordedRequest } from '../../sandbox/index.js';
import { isolatedEnv, OWNER_ID, ROOT, startBotProcess, type BotProcess, LOCAL_REDIS_URL } from '../../scripts/support/botProcess.js';
import { decodeReportMessage, type DecodedEvent } from '#lib/reporting/decodeReportMessage.js';
import { apiEnv, bearer, type ApiEnv } from './support/api.js';
import { REPORT_CHANNEL_IDS } from './support/stack.js';
import { guildIdForShard, stopFleet, waitUntil } from './support/fleet.js';

/**
 * The once-per-fleet monitoring jobs (error rate, command analyzer) run on ONE random shard process
 * per tick. They must judge the whole fleet: here errors are split over shards 1 and 2 so that
 * neither shard alone is above the error-rate line (5 per minute over 5 minutes) but the fleet is;
 * the alert must fire exactly once (whichever process runs each tick), and the command analyzer
 * must count every command of every shard exactly once.
 */
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const SHARDS = 3;
const tag = randomBytes(4).toString('hex');
const schema = `e2e_fleetjobs_${tag}`;
const CALLBACK = 'POST /interactions/:id/:token/callback';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


let sandbox: DiscordSandbox;
let manager: BotProcess;
let dataDir: string;
let queue: string;
let api: ApiEnv;
let guilds: string[];


const posts = (channelId: string): RecordedRequest[] => sandbox.requests.filter((r) => r.route === 'POST /channels/:id/messages' && r.path === `/channels/${channelId}/messages` && r.status === 200);
interface SeenEvent {
	seq: number;
	event: string;
	severity: string;
	/** The embed (or wire event) that carried it, as JSON. */
	text: string;
}
/** Events posted to a channel, decoded as tests/e2e/monitoring.test.ts does (severity from the JSON or the title). */
const events = (channelId: string): SeenEvent[] =>
	posts(channelId).flatMap((r) => {
		const body = r.body as { embeds?: { title?: string; description?: string; footer?: { text?: string } }[] };
		const embeds = body.embeds ?? [];
		return decodeReportMessage(r.body as never, r.files).map((decoded: DecodedEvent) => {
			const embed = embeds.find((e) => e.footer?.text?.startsWith(`#${decoded.seq} `));
			const title = embed?.title ?? '';
			const line = embeds.flatMap((e) => (e.description ?? '').split('\n')).find((l) => l.startsWith(`#${decoded.seq} `)) ?? '';
			const heading = title || line;
			const severity = decoded.wire?.severity ?? (/Critical: /.test(heading) ? 'CRITICAL' : /Warning: /.test(heading) ? 'WARNING' : 'INFO');
			return { seq: decoded.seq, event: decoded.event ?? decoded.wire?.event ?? '', severity, text: `${title} ${line} ${JSON.stringify(decoded.wire ?? embed ?? {})}` };
		});
	});
const allEvents = () => [...events(REPORT_CHANNEL_IDS.diagnostics), ...events(REPORT_CHANNEL_IDS.performance)];

/** Errors counted per shard, from the fleet's /metrics (served by shard 0). */
async function errorsByShard(): Promise<number[]> {
	const text = await (await fetch(`${api.base}/metrics`, { headers: bearer(api.token) })).text();
	return [0, 1, 2].map((shard) => {
		let sum = 0;
		for (const match of text.matchAll(new RegExp(`^nexus_errors_total\\{[^}]*shard="${shard}"[^}]*\\} (\\d+)`, 'gm'))) sum += Number(match[1]);
		return sum;
	});
}

function channelOf(guildId: string): string {
	return [...sandbox.state.guilds.get(guildId)!.channelIds].find((id) => sandbox.state.channels.get(id)!.type === 0 && !Object.values(REPORT_CHANNEL_IDS).includes(id))!;
}

beforeAll(async () => {
	const seeds = [0, 1, 2].map((shard, nth) =>
		seedGuild({
			id: guildIdForShard(shard, SHARDS, nth),
			name: `Shard ${shard}`,
			seed: 31 + nth,
			members: 10,
			inVoice: 0,
			extraChannels: nth === 0 ? Object.entries(REPORT_CHANNEL_IDS).map(([name, id]) => ({ id, name: `nexus-${name}` })) : []
		})
	);
	sandbox = await DiscordSandbox.start({ guilds: seeds, shardCount: SHARDS, maxConcurrency: SHARDS, heartbeatIntervalMs: 1000 });
	guilds = [...sandbox.state.guilds.keys()];
	expect(guilds.map((id) => shardForGuild(id, SHARDS))).toEqual([0, 1, 2]);
	api = await apiEnv();
	const env = isolatedEnv(sandbox.apiUrl, {
		...api.env,
		REDIS_URL: LOCAL_REDIS_URL,
		DATABASE_URL: `${PG}?schema=${schema}`,
		SHARD_COUNT: String(SHARDS),
		REPORT_FLUSH_INTERVAL_MS: '200',
		MONITOR_ERROR_INTERVAL_MS: '1000',
		MONITOR_COMMAND_INTERVAL_MS: '1500',
		MONITOR_HEALTH_INTERVAL_MS: '60000',
		FLEET_PUBLISH_INTERVAL_MS: '500',
		CHART_WORKERS: '0',
		OWNER_IDS: OWNER_ID
	});
	dataDir = env.dataDir;
	queue = env.env.TASKS_QUEUE!;
	manager = startBotProcess(env.env, env.dataDir, join(ROOT, 'dist/shard-manager.js'));
	// Generous: three shard processes booting on a loaded 2-core machine.
	await sandbox.waitForReady({ timeoutMs: 120_000 });
	await sandbox.waitForCommands(['nexus'], { timeoutMs: 30_000 });
	await manager.waitForLine(/\[shard-manager\] All 3 shard\(s\) started/, 60_000);
}, 180_000);

afterAll(() => stopFleet({ manager, sandbox, dataDir, queue, schemas: [schema] }), 60_000);

describe('once-per-fleet monitoring jobs with 3 shards', () => {
	it('errors split over two shards, each below the line, raise the fleet error-rate alert exactly once', async () => {
		await waitUntil(async () => (await fetch(`${api.base}/metrics`, { headers: bearer(api.token) }).catch(() => undefined))?.ok, 20_000, 'the API');
		const before = await errorsByShard();
		// Every interaction answer fails (5xx, retried by discord.js, then the command errors and is logged).
		sandbox.faults.fail5xx({ route: CALLBACK, count: 100_000 });
		// Alternate shards 1 and 2 until the fleet holds more than 25 errors in the window (> 5 per minute) while neither shard reaches 25.
		let turn = 0;
		for (;;) {
			const counts = (await errorsByShard()).map((count, shard) => count - before[shard]!);
			if (counts[1]! + counts[2]! >= 30) {
				expect(counts[1]).toBeLessThan(25);
				expect(counts[2]).toBeLessThan(25);
				expect(counts[0]).toBe(0);
				break;
			}
			const guildId = guilds[1 + (turn++ % 2)]!;
			sandbox.interact({ guildId, channelId: channelOf(guildId), userId: OWNER_ID, command: 'nexus', subcommand: 'status' });
			await sleep(300);
			expect(turn).toBeLessThan(60);
		}
		sandbox.faults.clear();

		const fired = await waitUntil(() => allEvents().find((event) => event.event === 'alert.errorRate'), 20_000, 'the fleet error-rate alert');
		expect(fired.severity, fired.text).toBe('WARNING');
		// Several more ticks, run by any of the three processes: the alert stays one alert (state shared through Redis).
		await sleep(6000);
		const errorAlerts = allEvents().filter((event) => event.event === 'alert.errorRate');
		expect(errorAlerts).toHaveLength(1);
	}, 90_000);

	it('the command analyzer counts every shard\'s commands exactly once, whichever process runs it', async () => {
		const analysed = () =>
			events(REPORT_CHANNEL_IDS.performance)
				.filter((event) => event.event === 'commands.analysis')
				.reduce((sum, event) => sum + Number(/Commands: (\d+) runs/.exec(event.text)?.[1] ?? NaN), 0);
		const served = () => sandbox.requests.filter((r) => r.route === CALLBACK).length;
		await waitUntil(() => analysed() > 0, 15_000, 'a command analysis');
		// The previous test's commands are analysed by now (or soon): wait for the count to settle.
		let settled = analysed();
		await waitUntil(async () => {
			await sleep(2500);
			const now = analysed();
			const stable = now === settled;
			settled = now;
			return stable;
		}, 20_000, 'the analysis to settle');
		const handles = [0, 1, 2].flatMap((shard) => [0, 1, 2, 3].map(() => sandbox.interact({ guildId: guilds[shard]!, channelId: channelOf(guilds[shard]!), userId: OWNER_ID, command: 'nexus', subcommand: 'status' })));
		await Promise.all(handles.map((handle) => handle.waitForResponse(undefined, 20_000)));
		expect(served()).toBeGreaterThan(0);
		await waitUntil(() => analysed() === settled + 12 && analysed(), 15_000, '12 more analysed runs');
		await sleep(4000);
		expect(analysed()).toBe(settled + 12);
	}, 90_000);
});
