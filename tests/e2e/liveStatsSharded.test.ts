import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSandbox, Permission, seedGuild, shardForGuild, type GuildSeed } from '../../sandbox/index.js';
import { isolatedEnv, LOCAL_REDIS_URL, ROOT, startBotProcess, type BotProcess } from '../../scripts/support/botProcess.js';
import { eventually } from './support/guildstats.js';
import { REPORT_CHANNEL_IDS } from './support/stack.js';
import { guildIdForShard, stopFleet } from './support/fleet.js';

/**
 * Live messages under dist/shard-manager.js with 2 shard processes on one PostgreSQL schema: every
 * process reads the same schedule, and each message is refreshed once per period, by the shard that
 * owns its guild (a second refresher would show up as edits a few ms apart).
 */
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const SHARDS = 2;
const MINUTE_MS = 300;
const PERIOD_MS = 5 * MINUTE_MS;
const schema = `e2e_live_shards_${randomBytes(4).toString('hex')}`;


let sandbox: DiscordSandbox;
let manager: BotProcess;
let dataDir: string;
let queue: string;

beforeAll(async () => {
	const seeds: GuildSeed[] = [0, 1].map((shard) =>
		seedGuild({
			id: guildIdForShard(shard, SHARDS, shard),
			name: `Shard ${shard} guild`,
			seed: 21 + shard,
			members: 20,
			inVoice: 0,
			extraChannels: shard === 0 ? Object.entries(REPORT_CHANNEL_IDS).map(([name, id]) => ({ id, name: `nexus-${name}` })) : []
		})
	);
	sandbox = await DiscordSandbox.start({
		guilds: seeds,
		shardCount: SHARDS,
		maxConcurrency: SHARDS,
		botPermissions: Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks | Permission.AttachFiles | Permission.UseApplicationCommands
	});
	const env = isolatedEnv(sandbox.apiUrl, { REDIS_URL: LOCAL_REDIS_URL, DATABASE_URL: `${PG}?schema=${schema}`, SHARD_COUNT: String(SHARDS), LIVE_MINUTE_MS: String(MINUTE_MS), CHART_WORKERS: '0' });
	dataDir = env.dataDir;
	queue = env.env.TASKS_QUEUE!;
	manager = startBotProcess(env.env, env.dataDir, join(ROOT, 'dist/shard-manager.js'));
	await sandbox.waitForReady({ timeoutMs: 60_000 });
	await sandbox.waitForCommands(['guildstats'], { timeoutMs: 30_000 });
	await manager.waitForLine(/\[shard-manager\] All 2 shard\(s\) started/, 60_000);
}, 120_000);

afterAll(() => stopFleet({ manager, sandbox, dataDir, queue, schemas: [schema] }), 60_000);

describe('live messages with 2 shards', () => {
	it('are each refreshed once per period, by the shard owning the guild', async () => {
		const targets = [...sandbox.state.guilds.values()].map((guild) => {
			const channelId = [...guild.channelIds].find((id) => sandbox.state.channel(id)!.type === 0 && !Object.values(REPORT_CHANNEL_IDS).includes(id))!;
			return { guild, channelId };
		});
		expect(targets.map((t) => shardForGuild(t.guild.id, SHARDS))).toEqual([0, 1]);
		for (const { guild, channelId } of targets) {
			const handle = sandbox.interact({ guildId: guild.id, channelId, userId: guild.owner_id, command: 'guildstats', subcommandGroup: 'live', subcommand: 'set', options: { channel: channelId, every: 5 } });
			const answer = await handle.waitForResponse(undefined, 30_000);
			expect(JSON.stringify(answer.body)).toMatch(/posted in/);
		}
		const messageIds = targets.map(({ channelId }) => (sandbox.findRequests((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages` && r.status === 200)[0]!.response as { id: string }).id);
		const edits = (i: number) => sandbox.findRequests((r) => r.method === 'PATCH' && r.path === `/channels/${targets[i]!.channelId}/messages/${messageIds[i]}`);
		await eventually(async () => edits(0).length >= 4 && edits(1).length >= 4, 40_000);
		for (const i of [0, 1]) {
			const times = edits(i).map((r) => r.at);
			expect(edits(i).every((r) => r.status === 200)).toBe(true);
			for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBeGreaterThan(PERIOD_MS / 2);
			// Still the one message per guild.
			expect(sandbox.findRequests((r) => r.method === 'POST' && r.path === `/channels/${targets[i]!.channelId}/messages`)).toHaveLength(1);
		}
	}, 90_000);
});
