import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';
import { DiscordSandbox, seedGuild, shardForGuild } from '../../sandbox/index.js';
import { isolatedEnv, LOCAL_REDIS_URL, ROOT, startBotProcess, type BotProcess } from '../../scripts/support/botProcess.js';
import { fieldNumber, guildstats, sleep } from './support/guildstats.js';
import { REPORT_CHANNEL_IDS } from './support/stack.js';
import { guildIdForShard, stopFleet } from './support/fleet.js';

/**
 * Two shard processes (the real launcher), one guild each. A member opts out with /guildstats
 * ignoreme in the guild of shard 0; the chart of the guild of shard 1, cached there a moment ago,
 * must not be served again. Multi-process needs one shared store: PostgreSQL only (like sharding).
 */
const SHARDS = 2;
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `e2e_imgcachefleet_${randomBytes(4).toString('hex')}`;
const databaseUrl = `${PG}?schema=${schema}`;


let sandbox: DiscordSandbox;
let manager: BotProcess;
let dataDir: string;
let queue: string;

describe('chart cache invalidation across shards', () => {
	const a = seedGuild({ id: guildIdForShard(0, SHARDS, 0), name: 'Shard 0 guild', seed: 21, members: 30, inVoice: 0, extraChannels: Object.entries(REPORT_CHANNEL_IDS).map(([name, id]) => ({ id, name: `nexus-${name}` })) });
	const b = seedGuild({ id: guildIdForShard(1, SHARDS, 1), name: 'Shard 1 guild', seed: 22, members: 30, inVoice: 0 });
	const textOf = (guild: typeof a) => guild.channels.find((channel) => channel.type === 0 && !channel.name.startsWith('nexus-'))!.id;
	const humansOf = (guild: typeof a) => guild.members.filter((member) => !member.user.bot && member.user.id !== guild.owner_id).map((member) => member.user.id);

	beforeAll(async () => {
		sandbox = await DiscordSandbox.start({ guilds: [a, b], shardCount: SHARDS, maxConcurrency: SHARDS, heartbeatIntervalMs: 1000 });
		expect([a.id, b.id].map((id) => shardForGuild(id, SHARDS))).toEqual([0, 1]);
		const isolated = isolatedEnv(sandbox.apiUrl, { REDIS_URL: LOCAL_REDIS_URL, DATABASE_URL: databaseUrl, SHARD_COUNT: String(SHARDS), STATS_FLUSH_INTERVAL_MS: '500', CHART_WORKERS: '0' });
		dataDir = isolated.dataDir;
		queue = isolated.env.TASKS_QUEUE!;
		manager = startBotProcess(isolated.env, dataDir, join(ROOT, 'dist/shard-manager.js'));
		await sandbox.waitForReady({ timeoutMs: 60_000 });
		await sandbox.waitForCommands(['guildstats'], { timeoutMs: 30_000 });
		await manager.waitForLine(/\[shard-manager\] All 2 shard\(s\) started/, 45_000);
	}, 120_000);

	// Also removes the Redis keys and the schema, which this test used to leave behind.
	afterAll(() => stopFleet({ manager, sandbox, dataDir, queue, schemas: [schema] }), 60_000);

	it('an opt-out on one shard drops the cached charts of the other shard at once', async () => {
		const member = humansOf(a)[0]!;
		const other = humansOf(b)[0]!;
		// The member talks in the guild of shard 1 (and is a member of both).
		for (let i = 0; i < 4; i++) sandbox.sendMessage({ guildId: b.id, channelId: textOf(b), authorId: member });
		for (let i = 0; i < 2; i++) sandbox.sendMessage({ guildId: b.id, channelId: textOf(b), authorId: other });
		const store = await StatsStore.open({ ...databaseTarget(databaseUrl), sqlitePath: '/nonexistent' });
		try {
			const range = { range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day' as const, timezone: 'UTC', members: 'both' as const };
			for (let i = 0; i < 60 && (await store.reports.overview(b.id, range)).messages < 6; i++) await sleep(250);
			expect((await store.reports.overview(b.id, range)).messages).toBe(6);
		} finally {
			await store.close();
		}
		await sleep(1500); // settled: no flush outdates the image from here on

		const server = () => guildstats(sandbox, { guildId: b.id, channelId: textOf(b), userId: b.owner_id, subcommand: 'server', options: { range: '24h' } });
		const first = await server();
		expect(fieldNumber(first.embed, 'Messages')).toBe(6);
		expect((await server()).embed!.footer!.text).toMatch(/^From cache/);

		const optOut = await guildstats(sandbox, { guildId: a.id, channelId: textOf(a), userId: member, subcommand: 'ignoreme', options: { action: 'hide' } });
		expect(optOut.ephemeral).toBe(true);
		await sleep(1000); // the publish crosses Redis

		const after = await server();
		expect(after.embed!.footer!.text).toMatch(/^Rendered in \d+ ms/);
		expect(fieldNumber(after.embed, 'Messages')).toBe(2);
	}, 90_000);
});
