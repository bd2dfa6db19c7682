import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSandbox, seedGuild, shardForGuild } from '../../sandbox/index.js';
import { isolatedEnv, OWNER_ID, removeDir, ROOT, startBotProcess, type BotProcess, LOCAL_REDIS_URL } from '../../scripts/support/botProcess.js';
import { planTraffic, playTraffic, trafficGuilds } from '../../scripts/support/traffic.js';
import { readStoreTotals } from '../../scripts/support/storeTotals.js';
import { apiEnv, bearer, freePort, type ApiEnv } from './support/api.js';
import { delivered } from './support/reports.js';
import { REPORT_CHANNEL_IDS, stopBot } from './support/stack.js';
import { guildIdForShard, removeFleetData, waitUntil } from './support/fleet.js';

/**
 * Two "machines" (two launchers, dist/shard-manager.js, with disjoint SHARD_IDS and their own
 * MACHINE_NAME, data dir and API port) run one 4-shard fleet against a sandbox whose max_concurrency
 * is 2 and which ENFORCES Discord's identify rate (an early IDENTIFY gets op 9 and is recorded), all
 * REST through one @discordjs/proxy (dist/rest-proxy.js), sharing PostgreSQL, Redis and the task queue.
 */
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const SHARDS = 4;
const tag = randomBytes(4).toString('hex');
const schema = `e2e_machines_${tag}`;
const databaseUrl = `${PG}?schema=${schema}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


let sandbox: DiscordSandbox;
let proxy: BotProcess;
const machines: { name: string; ids: string; api: ApiEnv; env: Record<string, string>; dataDir: string; bot?: BotProcess }[] = [];
let queue: string;
const dirs: string[] = [];


function startMachine(index: number): BotProcess {
	const machine = machines[index]!;
	machine.bot = startBotProcess(machine.env, machine.dataDir, join(ROOT, 'dist/shard-manager.js'));
	return machine.bot;
}

/** A text channel of a guild that is not one of the report channels. */
const chatChannel = (guildId: string) => [...sandbox.state.guilds.get(guildId)!.channelIds].find((id) => sandbox.state.channels.get(id)!.type === 0 && !Object.values(REPORT_CHANNEL_IDS).includes(id))!;
const guildOnShard = (shard: number) => [...sandbox.state.guilds.keys()].find((id) => shardForGuild(id, SHARDS) === shard)!;
const HEALTH_INTERVAL_MS = 3000;

const metrics = async (index: number) => (await fetch(`${machines[index]!.api.base}/metrics`, { headers: bearer(machines[index]!.api.token) }).catch(() => undefined))?.text();

beforeAll(async () => {
	const seeds = [0, 1, 2, 3].map((shard, nth) =>
		seedGuild({
			id: guildIdForShard(shard, SHARDS, nth),
			name: `Shard ${shard}`,
			seed: 61 + nth,
			members: 40,
			inVoice: 0,
			extraChannels: nth === 0 ? Object.entries(REPORT_CHANNEL_IDS).map(([name, id]) => ({ id, name: `nexus-${name}` })) : []
		})
	);
	sandbox = await DiscordSandbox.start({ guilds: seeds, shardCount: SHARDS, maxConcurrency: 2, identifyRate: 'enforce', heartbeatIntervalMs: 1000 });
	expect([...sandbox.state.guilds.keys()].map((id) => shardForGuild(id, SHARDS))).toEqual([0, 1, 2, 3]);
	const proxyUrl = `http://127.0.0.1:${await freePort()}`;
	const base = isolatedEnv(sandbox.apiUrl, {
		REDIS_URL: LOCAL_REDIS_URL,
		DATABASE_URL: databaseUrl,
		SHARD_COUNT: String(SHARDS),
		REST_PROXY_URL: proxyUrl,
		STATS_FLUSH_INTERVAL_MS: '2000',
		REPORT_FLUSH_INTERVAL_MS: '200',
		MONITOR_HEALTH_INTERVAL_MS: String(HEALTH_INTERVAL_MS),
		FLEET_PUBLISH_INTERVAL_MS: '1000',
		CHART_WORKERS: '0',
		OWNER_IDS: OWNER_ID
	});
	queue = base.env.TASKS_QUEUE!;
	dirs.push(base.dataDir);
	proxy = startBotProcess(base.env, base.dataDir, join(ROOT, 'dist/rest-proxy.js'));
	await proxy.waitForLine(/\[rest-proxy\] listening/, 20_000);
	for (const [index, ids] of ['0-1', '2-3'].entries()) {
		const api = await apiEnv();
		const dataDir = mkdtempSync(join(tmpdir(), `nexus-e2e-machine-${index}-`));
		dirs.push(dataDir);
		const env = { ...base.env, ...api.env, SHARD_IDS: ids, MACHINE_NAME: `machine-${index}`, SQLITE_PATH: join(dataDir, 'nexus.sqlite'), REPORT_SPOOL_DIR: join(dataDir, 'spool') };
		machines.push({ name: `machine-${index}`, ids, api, env, dataDir });
	}
	// Both machines at once: their shards 0 and 2 (bucket 0), 1 and 3 (bucket 1) race for the same identify slots.
	startMachine(0);
	startMachine(1);
	await sandbox.waitForReady({ timeoutMs: 90_000 });
	await Promise.all(machines.map((machine) => machine.bot!.waitForLine(/\[shard-manager\] All 2 shard\(s\) started/, 60_000)));
}, 150_000);

afterAll(async () => {
	await Promise.all(machines.map((machine) => machine.bot && stopBot(machine.bot, 25_000)));
	if (proxy) await stopBot(proxy);
	await sandbox?.stop();
	for (const dir of dirs) removeDir(dir);
	await removeFleetData(queue, [schema]);
}, 90_000);

/**
 * Every report event delivered to the four report channels, keyed by what identifies it: the channel,
 * its seq (per shard process, so several shards may share a number) and everything the message shows
 * of it (its line or embed, with its JSON attachment: event, full timestamp, data). A spool replayed
 * twice or a batch re-sent after a restart repeats all of that; two shards' distinct events do not.
 */
function assertNoReportTwice(): void {
	const seen = new Map<string, number>();
	let withAttachment = 0;
	for (const [name, channelId] of Object.entries(REPORT_CHANNEL_IDS)) {
		for (const event of delivered(sandbox, channelId)) {
			if (event.wire) withAttachment++;
			const key = `${event.wire ? 'wire' : 'line'} ${name} #${event.seq} ${event.text}`;
			seen.set(key, (seen.get(key) ?? 0) + 1);
		}
	}
	expect(withAttachment).toBeGreaterThan(0);
	// An event with its JSON attachment (full timestamp in ms and data) is one event of one shard: never twice.
	expect([...seen].filter(([key, count]) => key.startsWith('wire') && count > 1).map(([key]) => key.slice(0, 300))).toEqual([]);
	// A dense line without attachment shows no shard, and shards doing the same thing in the same second
	// (stopping, starting) print the same line under the same seq: one per shard at most.
	expect([...seen].filter(([, count]) => count > SHARDS).map(([key]) => key.slice(0, 300))).toEqual([]);
	// The daily summary is claimed per day fleet-wide: at most one post per day.
	const summaryDays = Object.values(REPORT_CHANNEL_IDS).flatMap((channelId) => delivered(sandbox, channelId)).filter((event) => event.event === 'summary.daily').map((event) => JSON.stringify(event.wire?.data?.day ?? event.text));
	expect(new Set(summaryDays).size).toBe(summaryDays.length);
}

describe('two machines, one 4-shard fleet', () => {
	it('identifies were spaced fleet-wide: no IDENTIFY broke the per-bucket 5 s rate although both machines started at once', () => {
		const identifies = sandbox.gatewayFrames.filter((frame) => frame.op === 2);
		expect(identifies.length).toBeGreaterThanOrEqual(SHARDS);
		expect(sandbox.identifyViolations).toEqual([]);
		// Log lines are JSON: the machine's quotes arrive escaped.
		expect(machines[0]!.bot!.lines.join('\n')).toMatch(/Machine \\"machine-0\\" runs shard\(s\) 0-1 of 4/);
		expect(machines[1]!.bot!.lines.join('\n')).toMatch(/Machine \\"machine-1\\" runs shard\(s\) 2-3 of 4/);
	});

	it('a third launcher whose range overlaps a live machine is refused, naming the machines', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'nexus-e2e-machine-x-'));
		dirs.push(dataDir);
		const intruder = startBotProcess({ ...machines[0]!.env, API_PORT: '', API_TOKEN: '', SHARD_IDS: '1-2', MACHINE_NAME: 'machine-x', SQLITE_PATH: join(dataDir, 'x.sqlite') }, dataDir, join(ROOT, 'dist/shard-manager.js'));
		const exit = await intruder.exited;
		expect(exit.code).toBe(1);
		expect(intruder.lines.join('\n')).toMatch(/shard\(s\) already run by another machine: 1 on \\"machine-0\\"; 2 on \\"machine-1\\"/);
		expect(sandbox.identifyViolations).toEqual([]);
	});

	it('every machine\'s API shows every machine and shard', async () => {
		for (const index of [0, 1]) {
			const text = await waitUntil(async () => {
				const body = await metrics(index);
				return body && [0, 1, 2, 3].every((shard) => body.includes(`nexus_fleet_shard_up{shard_id="${shard}",machine="machine-${shard < 2 ? 0 : 1}"} 1`)) && body;
			}, 20_000, `machine-${index}'s /metrics with the whole fleet`);
			expect(text).toMatch(/^nexus_fleet_machine_up\{machine="machine-0"\} 1$/m);
			expect(text).toMatch(/^nexus_fleet_machine_up\{machine="machine-1"\} 1$/m);
		}
	});

	it('zero 429s with every shard reporting at once, all REST through one proxy', async () => {
		const handles = [...sandbox.state.guilds.keys()].flatMap((guildId) => {
			const channelId = [...sandbox.state.guilds.get(guildId)!.channelIds].find((id) => sandbox.state.channels.get(id)!.type === 0 && !Object.values(REPORT_CHANNEL_IDS).includes(id))!;
			return [0, 1].map(() => sandbox.interact({ guildId, channelId, userId: OWNER_ID, command: 'nexus', subcommand: 'test_reporting' }));
		});
		await Promise.all(handles.map((handle) => handle.waitForResponse(undefined, 30_000)));
		await sleep(3000);
		expect(sandbox.rateLimited()).toEqual([]);
		expect(proxy.lines.join('\n')).not.toMatch(/failed/);
	});

	it('rolling restart of machine-1 (SIGTERM to its launcher, then start it again): /nexus status shows it DOWN meanwhile, no report is posted twice', async () => {
		const startedAt = Date.now();
		// Reports queued on machine-1's shards right before the stop: flushed (or spooled and replayed) exactly once.
		await Promise.all([2, 3].map((shard) => sandbox.interact({ guildId: guildOnShard(shard), channelId: chatChannel(guildOnShard(shard)), userId: OWNER_ID, command: 'nexus', subcommand: 'test_reporting' }).waitForResponse(undefined, 30_000)));
		const victim = machines[1]!.bot!;
		victim.kill('SIGTERM');
		expect((await victim.exited).code).toBe(0);
		await waitUntil(async () => {
			const body = await metrics(0);
			return body && /^nexus_fleet_machine_up\{machine="machine-1"\} 0$/m.test(body);
		}, 30_000, 'machine-1 shown down on machine-0 after its clean stop');
		// The owner's /nexus status, answered by machine-0's shard 0, lists both machines, machine-1 DOWN with its shards.
		const status = await sandbox.interact({ guildId: guildOnShard(0), channelId: chatChannel(guildOnShard(0)), userId: OWNER_ID, command: 'nexus', subcommand: 'status' }).waitForResponse(undefined, 30_000);
		const text = JSON.stringify(status.body);
		expect(text).toContain('Nexus status');
		expect(text).toMatch(/Fleet: 2\/4 shards ready/);
		expect(text).toMatch(/🔴 machine-1: shard 2, 3 · DOWN, silent /);
		expect(text).toMatch(/🟢 machine-0: shard 0, 1 · 2\/2 ready/);
		startMachine(1);
		await machines[1]!.bot!.waitForLine(/\[shard-manager\] All 2 shard\(s\) started/, 60_000);
		await sandbox.waitForReady({ timeoutMs: 60_000 });
		// Step 4 of the procedure: the machine is up and all its shards READY in the fleet view (snapshots lag a publish interval).
		await waitUntil(async () => {
			const body = await metrics(0);
			return body && /^nexus_fleet_machine_up\{machine="machine-1"\} 1$/m.test(body) && [2, 3].every((shard) => body.includes(`nexus_fleet_shard_up{shard_id="${shard}",machine="machine-1"} 1`));
		}, 30_000, 'machine-1 and its shards back up on machine-0');
		const back = await waitUntil(async () => {
			const body = JSON.stringify((await sandbox.interact({ guildId: guildOnShard(0), channelId: chatChannel(guildOnShard(0)), userId: OWNER_ID, command: 'nexus', subcommand: 'status' }).waitForResponse(undefined, 30_000)).body);
			return /🟢 machine-1: shard 2, 3 · 2\/2 ready/.test(body) && body;
		}, 30_000, '/nexus status showing machine-1 back with 2/2 shards ready');
		expect(back).toMatch(/Fleet: 4\/4 shards ready/);
		// Let the restarted shards replay whatever they spooled before judging duplicates.
		await sleep(3000);
		assertNoReportTwice();
		// The fleet-wide health report ran at most once per tick while machine-1 left and came back
		// (a tick run by two processes would double the count); slack of 2 for a late first or last tick.
		const healthDuring = delivered(sandbox, REPORT_CHANNEL_IDS.performance).filter((event) => event.event === 'health.report' && event.request.at >= startedAt);
		expect(healthDuring.length).toBeGreaterThan(0);
		expect(healthDuring.length).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / HEALTH_INTERVAL_MS) + 2);
		expect(sandbox.identifyViolations).toEqual([]);
	}, 180_000);

	it('machine-1 killed (SIGKILL of its launcher) and restarted: shown DOWN meanwhile, nothing captured is lost', async () => {
		const stored = async () => (await readStoreTotals({ sqlitePath: '/nonexistent', databaseUrl }))?.messages ?? 0;
		const initially = await stored();
		const plan = planTraffic(trafficGuilds(sandbox, { channelIds: Object.values(REPORT_CHANNEL_IDS) }), { durationMs: 4000, messagesPerGuild: 40, reactionsPerGuild: 0, voiceSessionsPerGuild: 0, joinsPerGuild: 0, leavesPerGuild: 0 });
		const before = await playTraffic(sandbox, plan);
		const beforeSent = before.messages + before.botMessages;
		// "Captured" = read off the gateway and counted: on a loaded box a shard may still have frames unread in its
		// socket when playTraffic returns, and a stopping shard does not read them (as with Discord, no one gets them).
		await waitUntil(async () => (await stored()) - initially >= beforeSent, 30_000, 'the messages sent before the kill in the store');
		const victim = machines[1]!.bot!;
		const shardPids = victim.lines.map((line) => /Shard \d spawned \(pid (\d+)\)/.exec(line)?.[1]).filter(Boolean).map(Number);
		victim.kill('SIGKILL');
		// Its shards see the launcher gone, flush and exit on their own.
		await waitUntil(() => shardPids.every((pid) => {
			try {
				process.kill(pid, 0);
				return false;
			} catch {
				return true;
			}
		}), 30_000, 'machine-1\'s shard processes to flush and exit');
		const down = await waitUntil(async () => {
			const body = await metrics(0);
			return body && /^nexus_fleet_machine_up\{machine="machine-1"\} 0$/m.test(body) && body;
		}, 20_000, 'machine-1 shown down on machine-0');
		expect(down).toMatch(/^nexus_fleet_machine_up\{machine="machine-0"\} 1$/m);
		startMachine(1);
		await machines[1]!.bot!.waitForLine(/\[shard-manager\] All 2 shard\(s\) started/, 60_000);
		await sandbox.waitForReady({ timeoutMs: 60_000 });
		const after = await playTraffic(sandbox, planTraffic(trafficGuilds(sandbox, { channelIds: Object.values(REPORT_CHANNEL_IDS) }), { seed: 9, durationMs: 3000, messagesPerGuild: 30, reactionsPerGuild: 0, voiceSessionsPerGuild: 0, joinsPerGuild: 0, leavesPerGuild: 0 }));
		// Every message sent before the kill and after the restart, the scripted members' and the bot's own (as the demo counts).
		const sent = before.messages + before.botMessages + after.messages + after.botMessages;
		await waitUntil(async () => (await stored()) - initially >= sent, 20_000, 'every message in the store').catch(async (error: Error) => {
			throw new Error(`${error.message}: ${(await stored()) - initially} stored of ${sent} sent (${JSON.stringify({ before, after })})`);
		});
		await sleep(2500);
		expect((await stored()) - initially).toBe(sent);
		expect(sandbox.identifyViolations).toEqual([]);
		assertNoReportTwice();
	}, 150_000);
});
