import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EVERYONE_PERMISSIONS, Permission, type RecordedRequest } from '../../sandbox/index.js';
import type { APIEmbed } from 'discord.js';
import { eventually, sleep, type Invocation } from './support/guildstats.js';
import { REPORT_CHANNEL_IDS, seedGuildWithReportChannels, startStack, type Stack } from './support/stack.js';

/**
 * Live statistics messages and counter channels through the real bot. The sandbox enforces
 * Discord's rename bucket (2 per window per channel) with a 3 s window instead of 10 minutes, and
 * the bot runs with the same window and with `every:5` meaning 5 x 300 ms.
 */
const MINUTE_MS = 300;
const PERIOD_MS = 5 * MINUTE_MS;
const RENAME_WINDOW_MS = 3000;
const BOT_PERMISSIONS =
	Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks | Permission.AttachFiles | Permission.ReadMessageHistory | Permission.Connect | Permission.UseApplicationCommands;

let stack: Stack;
let guildId: string;
let ownerId: string;
let memberId: string;
let text: string[];
let voice: string[];

/** Runs a subcommand; `ephemeral` from the interaction (an edited ephemeral defer carries no flags itself). */
async function run(userId: string, group: 'live' | 'counter', subcommand: string, options: Invocation['options'] = {}) {
	const handle = stack.sandbox.interact({ guildId, channelId: text[0]!, userId, command: 'guildstats', subcommandGroup: group, subcommand, options });
	const request = await handle.waitForResponse(undefined, 20_000);
	const body = (request.body ?? {}) as { data?: Record<string, unknown> } & Record<string, unknown>;
	const message = (request.route.includes('/callback') ? body.data : body) as { embeds?: APIEmbed[]; content?: string } | undefined;
	return { embed: message?.embeds?.[0], content: message?.content ?? '', ephemeral: handle.record().ephemeral };
}

const posts = (channelId: string) => stack.sandbox.findRequests((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages` && r.status === 200);
const edits = (channelId: string, messageId: string) => stack.sandbox.findRequests((r) => r.method === 'PATCH' && r.path === `/channels/${channelId}/messages/${messageId}`);
const renames = (channelId: string) => stack.sandbox.findRequests((r) => r.method === 'PATCH' && r.path === `/channels/${channelId}`);
const notices = (title: string) =>
	stack.sandbox.findRequests((r) => r.method === 'POST' && r.path === `/channels/${REPORT_CHANNEL_IDS.diagnostics}/messages` && JSON.stringify(r.body).includes(title));
const channelName = (id: string) => stack.sandbox.state.channel(id)!.name;
const messageIdOf = (request: RecordedRequest) => (request.response as { id: string }).id;

beforeAll(async () => {
	stack = await startStack({
		sandbox: {
			guilds: [seedGuildWithReportChannels({ inVoice: 0, members: 40 })],
			botPermissions: BOT_PERMISSIONS | Permission.ManageChannels,
			rateLimits: { channelRenames: { limit: 2, windowMs: RENAME_WINDOW_MS } }
		},
		env: { STATS_FLUSH_INTERVAL_MS: '1000', REPORT_FLUSH_INTERVAL_MS: '1000', LIVE_MINUTE_MS: String(MINUTE_MS), COUNTER_RENAME_WINDOW_MS: String(RENAME_WINDOW_MS) }
	});
	const { sandbox } = stack;
	const guild = [...sandbox.state.guilds.values()][0]!;
	guildId = guild.id;
	ownerId = guild.owner_id;
	const channels = [...guild.channelIds].map((id) => sandbox.state.channel(id)!).filter((channel) => !channel.name.startsWith('nexus-'));
	text = channels.filter((channel) => channel.type === 0).map((channel) => channel.id);
	voice = channels.filter((channel) => channel.type === 2).map((channel) => channel.id);
	memberId = [...guild.members.values()].find((member) => !member.user.bot && member.user.id !== ownerId && member.roles.length === 0)!.user.id;
}, 90_000);

afterAll(async () => {
	await stack?.stop();
});

describe('/guildstats live', () => {
	let messageId: string;

	it('is for admins only (ephemeral refusal, nothing posted)', async () => {
		const answer = await run(memberId, 'live', 'set', { channel: text[1]! });
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toMatch(/Only server admins/);
		expect(posts(text[1]!)).toHaveLength(0);
	});

	it('posts once, then edits the same message in place across 3 refreshes and a restart', async () => {
		const answer = await run(ownerId, 'live', 'set', { channel: text[1]!, report: 'server', range: '7d', every: 5 });
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toMatch(/posted in <#\d+>; I'll edit that message every 5 minutes/);
		const [post] = posts(text[1]!);
		expect(post).toBeDefined();
		messageId = messageIdOf(post!);
		expect(post!.files.some((file) => file.name.endsWith('.png'))).toBe(true);
		await eventually(async () => edits(text[1]!, messageId).filter((r) => r.status === 200).length >= 3, 20_000);
		const edit = edits(text[1]!, messageId)[0]!;
		expect(edit.files.some((file) => file.name.endsWith('.png'))).toBe(true);
		expect(JSON.stringify(edit.body)).toMatch(/Live · refreshes every 5 min/);
		// Refreshes keep the period (no burst of edits).
		const times = edits(text[1]!, messageId).map((r) => r.at);
		for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(PERIOD_MS / 2);

		// A slower one, due after the restart: refreshed at its stored time, not at boot.
		const slow = await run(ownerId, 'live', 'set', { channel: text[3]!, report: 'activity', range: '30d', every: 40 });
		expect(slow.content).toMatch(/posted/);
		const slowPost = posts(text[3]!)[0]!;
		const before = edits(text[1]!, messageId).length;
		await stack.restartBot();
		await eventually(async () => edits(text[1]!, messageId).length >= before + 2, 20_000);
		expect(posts(text[1]!)).toHaveLength(1);
		await eventually(async () => edits(text[3]!, messageIdOf(slowPost)).length >= 1, 30_000);
		expect(edits(text[3]!, messageIdOf(slowPost))[0]!.at).toBeGreaterThanOrEqual(slowPost.at + 40 * MINUTE_MS - 200);
		expect(posts(text[3]!)).toHaveLength(1);
		expect(stack.sandbox.messagesIn(text[1]!).filter((m) => m.authorId === stack.sandbox.botUser.id)).toHaveLength(1);

		const list = await run(ownerId, 'live', 'list');
		expect(list.ephemeral).toBe(true);
		expect(list.embed?.description).toMatch(/server, 7d · every 5 min · next refresh/);
		expect(list.embed?.description).toMatch(/activity, 30d · every 40 min/);
	}, 90_000);

	it('posts the message again, once, when it was deleted', async () => {
		stack.sandbox.deleteMessage(messageId);
		await eventually(async () => posts(text[1]!).length === 2, 10_000);
		const reposted = messageIdOf(posts(text[1]!)[1]!);
		expect(reposted).not.toBe(messageId);
		await eventually(async () => edits(text[1]!, reposted).filter((r) => r.status === 200).length >= 2, 15_000);
		expect(posts(text[1]!)).toHaveLength(2);
		// One 404 on the deleted message, then nothing more aimed at it.
		expect(edits(text[1]!, messageId).filter((r) => r.status === 404)).toHaveLength(1);
	}, 40_000);

	it('stops with one notice, and no further requests, when the bot loses access to the channel', async () => {
		const answer = await run(ownerId, 'live', 'set', { channel: text[2]!, report: 'growth', every: 5 });
		expect(answer.content).toMatch(/posted/);
		stack.sandbox.state.denyChannel(text[2]!);
		await eventually(async () => notices('Live statistics message stopped').length === 1, 15_000);
		const after = stack.sandbox.requests.length;
		await sleep(PERIOD_MS * 3);
		const more = stack.sandbox.requests.slice(after).filter((r) => r.path.startsWith(`/channels/${text[2]}`));
		expect(more).toHaveLength(0);
		expect(stack.sandbox.requests.filter((r) => r.path.startsWith(`/channels/${text[2]}/`) && r.status === 403)).toHaveLength(1);
		expect(notices('Live statistics message stopped')).toHaveLength(1);
		const list = await run(ownerId, 'live', 'list');
		expect(list.embed?.description).toMatch(/stopped: Nexus lost permission/);
	}, 40_000);
});

describe('/guildstats counter', () => {
	it('refuses a template Discord would not accept as a channel name, with the reason', async () => {
		const unknown = await run(ownerId, 'counter', 'add', { channel: voice[0]!, template: 'Online: {online}' });
		expect(unknown.ephemeral).toBe(true);
		expect(unknown.content).toMatch(/Unknown placeholder `\{online\}`/);
		const long = await run(ownerId, 'counter', 'add', { channel: voice[0]!, template: `${'x'.repeat(90)}{members}` });
		expect(long.content).toMatch(/Too long/);
		expect(renames(voice[0]!)).toHaveLength(0);
	});

	it('converges on the latest member count under a burst of joins, within 2 renames per window and with 0 429s', async () => {
		const members = () => stack.sandbox.state.guild(guildId)!.members.size;
		const answer = await run(ownerId, 'counter', 'add', { channel: voice[0]!, template: '👥 Members: {members}' });
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toMatch(/is now a counter: it will be named `👥 Members: \d+`/);
		await eventually(async () => channelName(voice[0]!) === `👥 Members: ${members()}`, 10_000);
		for (let i = 0; i < 12; i++) {
			stack.sandbox.memberAdd({ guildId });
			await sleep(150);
		}
		const target = `👥 Members: ${members()}`;
		await eventually(async () => channelName(voice[0]!) === target, 20_000);
		await sleep(RENAME_WINDOW_MS * 1.5);
		expect(channelName(voice[0]!)).toBe(target);
		const sent = renames(voice[0]!);
		expect(sent.every((r) => r.status === 200)).toBe(true);
		expect(stack.sandbox.rateLimited()).toEqual([]);
		// Never a third rename inside one window; never a rename to the name it already had.
		for (let i = 2; i < sent.length; i++) expect(sent[i]!.at - sent[i - 2]!.at).toBeGreaterThanOrEqual(RENAME_WINDOW_MS);
		const names = sent.map((r) => (r.body as { name: string }).name);
		for (let i = 1; i < names.length; i++) expect(names[i]).not.toBe(names[i - 1]);
		expect(names.at(-1)).toBe(target);
	}, 60_000);

	it('a rename Discord refuses (403) stops that counter with one notice and no retries', async () => {
		const members = () => stack.sandbox.state.guild(guildId)!.members.size;
		await run(ownerId, 'counter', 'add', { channel: voice[2]!, template: '{members} members · {voice_now} in voice' });
		await eventually(async () => channelName(voice[2]!) === `${members()} members · 0 in voice`, 10_000);
		// Denied on Discord's side only: the bot's cache still says it may rename.
		stack.sandbox.state.denyChannel(voice[2]!);
		stack.sandbox.memberAdd({ guildId });
		await eventually(async () => notices('Counter channel stopped').length === 1, 15_000);
		stack.sandbox.memberAdd({ guildId });
		await sleep(RENAME_WINDOW_MS * 2);
		expect(renames(voice[2]!).filter((r) => r.status === 403)).toHaveLength(1);
		expect(renames(voice[2]!).at(-1)!.status).toBe(403);
		expect(notices('Counter channel stopped')).toHaveLength(1);
	}, 40_000);

	it('without Manage Channels: one clear answer to the admin on add, one notice for a running counter, no rename requests', async () => {
		const before = renames(voice[0]!).length;
		stack.sandbox.setBotPermissions(guildId, BOT_PERMISSIONS);
		await sleep(300);
		const refused = await run(ownerId, 'counter', 'add', { channel: voice[1]!, template: 'In voice: {voice_now}' });
		expect(refused.ephemeral).toBe(true);
		expect(refused.content).toMatch(/I need \*\*Manage Channels\*\* on <#\d+> to rename it/);
		// The running counter's number changes: it stops instead of trying.
		stack.sandbox.memberAdd({ guildId });
		await eventually(async () => notices('Counter channel stopped').length === 2, 15_000);
		stack.sandbox.memberAdd({ guildId });
		await sleep(RENAME_WINDOW_MS * 2);
		expect(renames(voice[0]!)).toHaveLength(before);
		expect(renames(voice[1]!)).toHaveLength(0);
		expect(notices('Counter channel stopped')).toHaveLength(2);
		const list = await run(ownerId, 'counter', 'list');
		expect(list.embed?.description).toMatch(/stopped: Nexus lost permission/);
		expect(list.embed?.description).not.toContain(voice[1]!);
		expect(stack.sandbox.rateLimited()).toEqual([]);
	}, 40_000);
});
