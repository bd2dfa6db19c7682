import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSandbox, seedGuild, shardForGuild, type GuildSeed, type RecordedRequest } from '../../sandbox/index.js';
import { isolatedEnv, LOCAL_REDIS_URL, OWNER_ID, removeDir, ROOT, startBotProcess, type BotProcess } from '../../scripts/support/botProcess.js';
import { planTraffic, playTraffic, trafficGuilds, type TrafficTotals } from '../../scripts/support/traffic.js';
import { decodeReportMessage } from '#lib/reporting/decodeReportMessage.js';
import { DAILY_SUMMARY_EVENT } from '#lib/reporting/dailySummary.js';
import { LAST_SUMMARY_META } from '#lib/reporting/DailySummaryPoster.js';
import { addDays, utcDay } from '#lib/reporting/summaryDays.js';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';
import type { OverviewTotals } from '#lib/stats/statsTypes.js';
import { apiEnv, bearer, type ApiEnv } from './support/api.js';
import { REPORT_CHANNEL_IDS, stopBot } from './support/stack.js';
import { guildIdForShard, waitUntil } from './support/fleet.js';

/**
 * Scale-out through the REAL launcher: dist/shard-manager.js runs 3 shard processes of dist/index.js
 * (discord.js ShardingManager) against a 3-shard sandbox, all on one PostgreSQL schema and one Redis.
 * The same scripted traffic goes, at the same time, to a single-process bot on a 1-shard sandbox with
 * its own schema: the two stores must agree. Then one shard is SIGKILLed mid-stream.
 */
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const SHARDS = 3;
const FLUSH_MS = 2000;
const tag = randomBytes(4).toString('hex');
const schemas = { single: `e2e_shard1_${tag}`, fleet: `e2e_shard3_${tag}` };
const today = utcDay(Date.now());
const yesterday = addDays(today, -1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


/** Four guilds: shards 0, 1, 2 and 0 again; the first holds the four report channels. */
function seeds(): GuildSeed[] {
	return [0, 1, 2, 0].map((shard, nth) =>
		seedGuild({
			id: guildIdForShard(shard, SHARDS, nth),
			name: `Shard ${shard} guild ${nth}`,
			seed: 11 + nth,
			members: 60,
			inVoice: 0,
			extraChannels: nth === 0 ? Object.entries(REPORT_CHANNEL_IDS).map(([name, id]) => ({ id, name: `nexus-${name}` })) : []
		})
	);
}

let single: DiscordSandbox;
let fleet: DiscordSandbox;
let singleBot: BotProcess;
let manager: BotProcess;
let dataDirs: string[] = [];
let queues: string[] = [];
let guildIds: string[];
let sent: TrafficTotals;
let testReplies: string[] = [];
let api: ApiEnv;

const url = (schema: string) => `${PG}?schema=${schema}`;
const openStore = (schema: string) => StatsStore.open({ ...databaseTarget(url(schema)), sqlitePath: '/nonexistent' });
const allTime = { range: { from: 0, to: Date.now() + 86_400_000 }, bucket: 'day' as const, timezone: 'UTC', members: 'both' as const };

async function overviews(schema: string): Promise<Record<string, OverviewTotals>> {
	const store = await openStore(schema);
	try {
		const out: Record<string, OverviewTotals> = {};
		for (const id of guildIds) out[id] = await store.reports.overview(id, allTime);
		return out;
	} finally {
		await store.close();
	}
}


/** The manager's line for a shard's process, e.g. 'Shard 1 spawned (pid 1234).' (newest first). */
function shardPids(shard: number, event: 'spawned' | 'ready'): number[] {
	const pattern = new RegExp(`\\[shard-manager\\] Shard ${shard} ${event} \\(pid (\\d+)\\)`);
	return manager.lines.map((line) => pattern.exec(line)?.[1]).filter((pid): pid is string => pid !== undefined).map(Number).reverse();
}

const messagePosts = (sandbox: DiscordSandbox, channelId: string): RecordedRequest[] =>
	sandbox.requests.filter((r) => r.route === 'POST /channels/:id/messages' && r.path === `/channels/${channelId}/messages` && r.status === 200);

beforeAll(async () => {
	single = await DiscordSandbox.start({ guilds: seeds() });
	fleet = await DiscordSandbox.start({ guilds: seeds(), shardCount: SHARDS, maxConcurrency: SHARDS, heartbeatIntervalMs: 1000 });
	guildIds = [...fleet.state.guilds.keys()];
	expect(guildIds.map((id) => shardForGuild(id, SHARDS))).toEqual([0, 1, 2, 0]);

	// The fleet's store as a running bot left it: the summary of two days ago was the last one posted.
	const store = await openStore(schemas.fleet);
	await store.meta.set(LAST_SUMMARY_META, addDays(today, -2));
	await store.close();

	const common = {
		STATS_FLUSH_INTERVAL_MS: String(FLUSH_MS),
		VOICE_MIN_SESSION_SECONDS: '1',
		// Everything reports at once: small batches, frequent health reports, a "midnight" every 3 s.
		REPORT_FLUSH_INTERVAL_MS: '200',
		MONITOR_HEALTH_INTERVAL_MS: '4000',
		MONITOR_DISCORD_INTERVAL_MS: '1000',
		DAILY_SUMMARY_CRON: '*/3 * * * * *',
		FLEET_PUBLISH_INTERVAL_MS: '1000',
		CHART_WORKERS: '0',
		OWNER_IDS: OWNER_ID,
		// BullMQ and fleet coordination: the single process too, so both run the same scheduler.
		REDIS_URL: LOCAL_REDIS_URL
	};
	const one = isolatedEnv(single.apiUrl, { ...common, DATABASE_URL: url(schemas.single) });
	api = await apiEnv();
	const three = isolatedEnv(fleet.apiUrl, { ...common, ...api.env, DATABASE_URL: url(schemas.fleet), SHARD_COUNT: String(SHARDS) });
	dataDirs = [one.dataDir, three.dataDir];
	queues = [one.env.TASKS_QUEUE!, three.env.TASKS_QUEUE!];
	singleBot = startBotProcess(one.env, one.dataDir);
	manager = startBotProcess(three.env, three.dataDir, join(ROOT, 'dist/shard-manager.js'));
	await single.waitForReady({ timeoutMs: 60_000 });
	await fleet.waitForReady({ timeoutMs: 60_000 });
	await Promise.all([single.waitForCommands(['nexus'], { timeoutMs: 30_000 }), fleet.waitForCommands(['nexus'], { timeoutMs: 30_000 })]);
	await manager.waitForLine(/\[shard-manager\] All 3 shard\(s\) started/, 30_000);

	// The same script on both, at the same time; meanwhile every shard runs /nexus test_reporting twice at once.
	const plan = planTraffic(trafficGuilds(fleet, { channelIds: Object.values(REPORT_CHANNEL_IDS) }), {
		durationMs: 10_000,
		messagesPerGuild: 120,
		reactionsPerGuild: 40,
		voiceSessionsPerGuild: 3,
		joinsPerGuild: 3,
		leavesPerGuild: 2
	});
	const burst = (async () => {
		await sleep(2000);
		const handles = guildIds.slice(0, SHARDS).flatMap((guildId) => {
			const channelId = [...fleet.state.guilds.get(guildId)!.channelIds].find((id) => fleet.state.channels.get(id)!.type === 0 && !Object.values(REPORT_CHANNEL_IDS).includes(id))!;
			return [0, 1].map(() => fleet.interact({ guildId, channelId, userId: OWNER_ID, command: 'nexus', subcommand: 'test_reporting' }));
		});
		const responses = await Promise.all(handles.map((handle) => handle.waitForResponse(undefined, 20_000)));
		testReplies = responses.map((response) => JSON.stringify(response.body));
	})();
	const [fromSingle, fromFleet] = await Promise.all([playTraffic(single, plan), playTraffic(fleet, plan), burst]);
	expect(fromFleet).toMatchObject({ ...fromSingle, voiceSeconds: expect.any(Number) });
	sent = fromFleet;
}, 150_000);

afterAll(async () => {
	await Promise.all([singleBot && stopBot(singleBot), manager && stopBot(manager, 25_000)]);
	await Promise.all([single?.stop(), fleet?.stop()]);
	for (const dir of dataDirs) removeDir(dir);
	const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
	await redis.connect();
	for (const queue of queues) {
		const keys = [...(await redis.keys(`bull:${queue}:*`)), ...(await redis.keys(`nexus:${queue}:*`))];
		if (keys.length) await redis.del(...keys);
	}
	await redis.quit();
	const client = new pg.Client({ connectionString: PG });
	await client.connect();
	for (const schema of Object.values(schemas)) await client.query(`drop schema if exists "${schema}" cascade`);
	await client.end();
}, 60_000);

describe('3 shards under dist/shard-manager.js, one PostgreSQL and one Redis', () => {
	it('each shard captured only its guilds, and the store equals the single-process run of the same traffic', async () => {
		// Both bots flush every 2 s: wait until both stores hold the whole script (the last reaction removals come last).
		const expected = { messages: sent.messages + sent.botMessages, reactions: sent.reactions, joins: sent.joins, leaves: sent.leaves };
		const sums = (o: Record<string, OverviewTotals>) =>
			Object.values(o).reduce((sum, guild) => ({ messages: sum.messages + guild.messages, reactions: sum.reactions + guild.reactions, joins: sum.joins + guild.joins, leaves: sum.leaves + guild.leaves }), { messages: 0, reactions: 0, joins: 0, leaves: 0 });
		let last: Record<string, OverviewTotals>[] = [];
		const [one, three] = await waitUntil(
			async () => {
				last = await Promise.all([overviews(schemas.single), overviews(schemas.fleet)]);
				return last.every((o) => JSON.stringify(sums(o)) === JSON.stringify(expected)) && last;
			},
			20_000,
			'both stores to hold the whole script'
		).catch((error: Error) => {
			throw new Error(`${error.message}: expected ${JSON.stringify(expected)}, single ${JSON.stringify(last[0] && sums(last[0]))}, fleet ${JSON.stringify(last[1] && sums(last[1]))}`);
		});
		for (const id of guildIds) {
			const { messages, reactions, joins, leaves } = one[id]!;
			expect({ guild: id, ...pick(three[id]!) }).toEqual({ guild: id, messages, reactions, joins, leaves });
			expect(messages).toBeGreaterThan(50);
			// Voice is timed by each bot from the dispatches it saw: the same sessions, within a second or two each.
			expect(Math.abs(three[id]!.voiceSeconds - one[id]!.voiceSeconds)).toBeLessThanOrEqual(4);
			expect(three[id]!.voiceSeconds).toBeGreaterThan(0);
		}
		// Every shard was in it: one process per shard id, each identified as [id, 3].
		const identified = fleet.sessions().map((session) => `${session.shardId}/${session.shardCount}`);
		expect(new Set(identified)).toEqual(new Set(['0/3', '1/3', '2/3']));
	});

	it('zero 429s while all shards report at once: the four channels share one budget through Redis', async () => {
		expect(testReplies).toHaveLength(6);
		// Six test_reporting runs at once want 6 sends per channel; the fleet budget is 5 per 5 s, so some wait or are told so.
		expect(testReplies.join('\n')).toMatch(/✅/);
		for (const [name, channelId] of Object.entries(REPORT_CHANNEL_IDS)) {
			const times = messagePosts(fleet, channelId).map((r) => r.at).sort((a, b) => a - b);
			for (let i = 5; i < times.length; i++) expect({ channel: name, gap: times[i]! - times[i - 5]! >= 5000 }).toEqual({ channel: name, gap: true });
		}
		expect(messagePosts(fleet, REPORT_CHANNEL_IDS.logs).length).toBeGreaterThanOrEqual(3);
		expect(fleet.rateLimited()).toEqual([]);
	});

	it('the daily summary is posted once for the fleet, though every shard catches up and the cron fires every 3 s', async () => {
		const posted = () =>
			messagePosts(fleet, REPORT_CHANNEL_IDS.analytics).filter((r) => decodeReportMessage(r.body as never, r.files).some((event) => event.event === DAILY_SUMMARY_EVENT) && JSON.stringify(r.body).includes(yesterday));
		await waitUntil(async () => posted().length > 0, 20_000, 'the daily summary');
		// Several more "midnights" pass; nobody posts the day again.
		await sleep(7000);
		expect(posted()).toHaveLength(1);
	});

	it('the health report (run on one process) shows every shard: status, gateway latency, fleet totals', async () => {
		const report = await waitUntil(
			async () => {
				for (const r of messagePosts(fleet, REPORT_CHANNEL_IDS.performance).reverse()) {
					const file = r.files.find((f) => /health-report-.*\.json$/.test(f.name));
					if (!file) continue;
					const parsed = JSON.parse(file.data.toString('utf8')) as { data: { summary: string; samples: Record<string, unknown>; fleet: Record<string, any> | null } };
					if (parsed.data.fleet?.shards === '3/3 ready' && parsed.data.fleet.perShard.every((s: { pingMs: number | null }) => s.pingMs !== null)) return parsed;
				}
				return undefined;
			},
			25_000,
			'a health report with the whole fleet'
		);
		const { fleet: view, summary, samples } = report.data;
		expect(view!.perShard.map((s: { shard: number; status: string }) => [s.shard, s.status])).toEqual([
			[0, 'READY'],
			[1, 'READY'],
			[2, 'READY']
		]);
		expect(view!.totals.guilds).toBe(4);
		expect(view!.totals.events).toBeGreaterThan(sent.messages);
		expect(new Set(view!.perShard.map((s: { pid: number }) => s.pid)).size).toBe(3);
		expect(samples.shards).toBe('3/3 ready (fleet)');
		expect(summary).toMatch(/Fleet: 3\/3 shards ready · worst gateway \d+ ms \(shard \d\) · 4 guilds/);
	});

	it('/metrics and /api/metrics, served by shard 0, show the whole fleet (series labelled by shard)', async () => {
		const text = await waitUntil(
			async () => {
				const body = await (await fetch(`${api.base}/metrics`, { headers: bearer(api.token) })).text();
				return [0, 1, 2].every((shard) => body.includes(`nexus_gateway_events_total{type="MESSAGE_CREATE",shard="${shard}"}`)) && body;
			},
			10_000,
			'every shard in /metrics'
		);
		// One family header, every shard's samples; each shard counted only its own guilds' messages.
		expect(text.match(/^# TYPE nexus_gateway_events_total counter$/gm)).toHaveLength(1);
		expect(text.match(/^process_resident_memory_bytes\{shard="\d"\} /gm)).toHaveLength(3);
		const created = [0, 1, 2].map((shard) => Number(new RegExp(`^nexus_gateway_events_total\\{type="MESSAGE_CREATE",shard="${shard}"\\} (\\d+)`, 'm').exec(text)![1]));
		expect(created.every((count) => count > 50)).toBe(true);
		const json = (await (await fetch(`${api.base}/api/metrics`, { headers: bearer(api.token) })).json()) as { fleet: { shardCount: number; ready: number; shards: { shard: number; guilds: number }[] } };
		expect(json.fleet).toMatchObject({ shardCount: 3, ready: 3 });
		expect(json.fleet.shards.map((shard) => [shard.shard, shard.guilds])).toEqual([
			[0, 2],
			[1, 1],
			[2, 1]
		]);
	});

	it('SIGKILL of one shard: the manager respawns it, it captures again, and only its unflushed last seconds are lost', async () => {
		const guildId = guildIds[1]!; // shard 1
		const guild = trafficGuilds(fleet).find((entry) => entry.id === guildId)!;
		const send = (count: number) => {
			for (let i = 0; i < count; i++) fleet.sendMessage({ guildId, channelId: guild.textChannelIds[i % guild.textChannelIds.length]!, authorId: guild.memberIds[i % guild.memberIds.length]! });
		};
		const stored = async () => (await overviews(schemas.fleet))[guildId]!.messages;
		const start = await stored();
		send(30);
		const flushed = await waitUntil(async () => ((await stored()) === start + 30 ? start + 30 : undefined), FLUSH_MS * 4, 'the first batch flushed');

		const [victim] = shardPids(1, 'spawned');
		expect(victim).toBeGreaterThan(0);
		send(20); // received by shard 1, not flushed yet: at most these are lost
		await sleep(100);
		process.kill(victim!, 'SIGKILL');
		await manager.waitForLine(new RegExp(`Shard 1 \\(pid ${victim}\\) exited \\(signal SIGKILL\\); respawning in \\d+ ms`), 10_000);
		await waitUntil(async () => (shardPids(1, 'ready').some((pid) => pid !== victim) ? true : undefined), 45_000, 'shard 1 ready in a new process');
		await fleet.waitForReady({ shardId: 1, timeoutMs: 30_000 });
		expect(await stored()).toBeGreaterThanOrEqual(flushed);

		send(25);
		const after = await waitUntil(async () => {
			const count = await stored();
			return count >= flushed + 25 ? count : undefined;
		}, FLUSH_MS * 6, 'messages after the respawn');
		// Nothing flushed before the kill is lost, nothing is counted twice, everything after the respawn counts.
		expect(after).toBeGreaterThanOrEqual(flushed + 25);
		expect(after).toBeLessThanOrEqual(flushed + 20 + 25);
		// The other shards never stopped.
		expect(shardPids(0, 'spawned')).toHaveLength(1);
		expect(shardPids(2, 'spawned')).toHaveLength(1);
	});

	it('SIGTERM to the manager: every shard flushes and exits, the manager exits 0', async () => {
		const guildId = guildIds[2]!;
		const guild = trafficGuilds(fleet).find((entry) => entry.id === guildId)!;
		const before = (await overviews(schemas.fleet))[guildId]!.messages;
		// Sent just before the stop, long before the next 2 s flush: only the graceful shutdown can store them.
		for (let i = 0; i < 15; i++) fleet.sendMessage({ guildId, channelId: guild.textChannelIds[0]!, authorId: guild.memberIds[i]! });
		await sleep(300);
		const { code } = await stopBot(manager, 25_000);
		expect(code).toBe(0);
		expect(manager.lines.some((line) => /Fleet stopped: 3 shard\(s\) exited cleanly\./.test(line))).toBe(true);
		expect((await overviews(schemas.fleet))[guildId]!.messages).toBe(before + 15);
		expect(fleet.rateLimited()).toEqual([]);
	});
});

function pick(o: OverviewTotals) {
	return { messages: o.messages, reactions: o.reactions, joins: o.joins, leaves: o.leaves };
}
