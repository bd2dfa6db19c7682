import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
	AttachmentBuilder,
	ChannelType,
	Client,
	DiscordAPIError,
	Events,
	GatewayIntentBits,
	HTTPError,
	MessageFlags,
	PermissionFlagsBits,
	Routes,
	type ChatInputCommandInteraction,
	type ClientEvents,
	type ClientOptions,
	type Guild,
	type TextChannel
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DiscordSandbox, Intent, seedGuild, shardForGuild, type GuildSeed } from '../../sandbox/index.js';

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildVoiceStates, GatewayIntentBits.GuildMessageReactions];
const MESSAGES_ROUTE = 'POST /channels/:id/messages';
/** 8-byte PNG signature plus a little payload: enough to check bytes survive the round trip. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('sandbox-chart')]);

function waitEvent<E extends keyof ClientEvents>(client: Client, event: E, predicate: (...args: ClientEvents[E]) => boolean = () => true, timeoutMs = 5000): Promise<ClientEvents[E]> {
	return new Promise((resolve, reject) => {
		const listener = (...args: ClientEvents[E]) => {
			if (!predicate(...args)) return;
			clearTimeout(timer);
			client.off(event, listener);
			resolve(args);
		};
		const timer = setTimeout(() => {
			client.off(event, listener);
			reject(new Error(`timed out waiting for ${String(event)}`));
		}, timeoutMs);
		client.on(event, listener);
	});
}

/** A plain discord.js client pointed at the sandbox (cast: the scheduled-tasks plugin augments ClientOptions with a required `tasks`). */
function sandboxClient(sandbox: DiscordSandbox, intents: number[], extra: Partial<ClientOptions> = {}): Client {
	return new Client({ intents, rest: { api: sandbox.apiUrl }, ...extra } as ClientOptions);
}

/** Listens to discord.js' untyped 'raw' event (every gateway packet). */
function onRaw<T>(client: Client, listener: (packet: { t?: string; d?: T }) => void): () => void {
	const emitter = client as unknown as NodeJS.EventEmitter;
	emitter.on('raw', listener);
	return () => emitter.off('raw', listener);
}

/** The rejection of a promise that must fail (a success fails the test). */
function rejection<T = DiscordAPIError>(promise: Promise<unknown>): Promise<T> {
	return promise.then(
		() => {
			throw new Error('expected the request to fail');
		},
		(error: unknown) => error as T
	);
}

async function login(sandbox: DiscordSandbox, intents: number[]): Promise<Client> {
	const client = sandboxClient(sandbox, intents);
	const ready = waitEvent(client, Events.ClientReady, () => true, 15_000);
	await client.login('sandbox-token');
	await ready;
	return client;
}

const MAIN = seedGuild({ seed: 1 });
const BIG = seedGuild({ seed: 2, members: 1500, bots: 0 });
const SMALL = seedGuild({ seed: 3, members: 20, bots: 0, categories: 1, textChannels: 2, voiceChannels: 1 });
const textIds = MAIN.channels.filter((c) => c.type === 0).map((c) => c.id);
const voiceIds = MAIN.channels.filter((c) => c.type === 2).map((c) => c.id);
const userIds = MAIN.members.filter((m) => !m.user.bot).map((m) => m.user.id);
const inVoice = new Set(MAIN.voice_states.map((vs) => vs.user_id));

describe('DiscordSandbox with a real discord.js client', () => {
	let sandbox: DiscordSandbox;
	let client: Client;
	let guild: Guild;
	let readyPayload: Record<string, unknown> | undefined;
	const channel = (i: number) => guild.channels.cache.get(textIds[i]) as TextChannel;

	beforeAll(async () => {
		sandbox = await DiscordSandbox.start({
			guilds: [MAIN, BIG, SMALL],
			heartbeatIntervalMs: 1000,
			interactionDeadlineMs: 1000,
			rateLimits: { perChannel: { limit: 2, windowMs: 400 } }
		});
		client = sandboxClient(sandbox, INTENTS);
		onRaw<Record<string, unknown>>(client, (packet) => {
			if (packet.t === 'READY') readyPayload = packet.d;
		});
		const ready = waitEvent(client, Events.ClientReady, () => true, 15_000);
		await client.login('sandbox-token');
		await ready;
		guild = client.guilds.cache.get(MAIN.id)!;
	});

	afterAll(async () => {
		await client?.destroy();
		await sandbox?.stop();
	});

	it('serves READY and complete GUILD_CREATEs: channels, roles, the bot member, voice states, large-guild member rule', async () => {
		await sandbox.waitForReady({ timeoutMs: 1000 });
		expect(readyPayload).toMatchObject({
			user: { id: sandbox.botUser.id, bot: true },
			application: { id: sandbox.applicationId },
			resume_gateway_url: sandbox.url.replace('http', 'ws') + '/gateway',
			shard: [0, 1]
		});
		expect(readyPayload?.session_id).toMatch(/^[0-9a-f]{32}$/);
		expect(readyPayload?.guilds).toMatchObject([MAIN, BIG, SMALL].map((g) => ({ id: g.id, unavailable: true })));
		expect(client.guilds.cache.size).toBe(3);

		expect(guild.available).toBe(true);
		expect(guild.name).toBe('Nexus Demo');
		const channels = [...guild.channels.cache.values()];
		expect(channels).toHaveLength(15);
		const categories = channels.filter((c) => c.type === ChannelType.GuildCategory);
		expect(categories).toHaveLength(3);
		expect(channels.filter((c) => c.type === ChannelType.GuildText)).toHaveLength(8);
		expect(channels.filter((c) => c.type === ChannelType.GuildVoice)).toHaveLength(4);
		for (const c of channels) if (c.type !== ChannelType.GuildCategory) expect(categories.map((cat) => cat.id)).toContain(c.parentId);

		expect(guild.roles.everyone.id).toBe(guild.id);
		expect(guild.roles.cache.find((r) => r.name === 'Admin')?.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
		expect(guild.members.me?.id).toBe(sandbox.botUser.id);
		expect(guild.members.me?.roles.botRole).toBeTruthy();
		expect(guild.memberCount).toBe(MAIN.members.length + 1);
		expect(channel(0).permissionsFor(guild.members.me!)?.has(PermissionFlagsBits.SendMessages)).toBe(true);

		expect(guild.voiceStates.cache.size).toBe(MAIN.voice_states.length);
		for (const vs of MAIN.voice_states) expect(guild.voiceStates.cache.get(vs.user_id)?.channelId).toBe(vs.channel_id);
		// Like Discord without the presences intent: only the bot and members in voice, with joined_at (not partial).
		expect(guild.members.cache.size).toBe(1 + MAIN.voice_states.length);
		for (const member of guild.members.cache.values()) expect(member.joinedTimestamp).toBeGreaterThan(0);
		const small = client.guilds.cache.get(SMALL.id)!;
		expect(small.members.cache.size).toBe(1 + SMALL.voice_states.length);
	});

	it('answers REQUEST_GUILD_MEMBERS with GUILD_MEMBERS_CHUNKs of 1000', async () => {
		const chunks: Array<{ chunk_index: number; chunk_count: number; members: unknown[] }> = [];
		const off = onRaw<{ guild_id: string; chunk_index: number; chunk_count: number; members: unknown[] }>(client, (packet) => {
			if (packet.t === 'GUILD_MEMBERS_CHUNK' && packet.d?.guild_id === BIG.id) chunks.push(packet.d);
		});
		const members = await client.guilds.cache.get(BIG.id)!.members.fetch();
		off();
		expect(members.size).toBe(1501);
		expect(chunks.map((c) => [c.chunk_index, c.chunk_count, c.members.length])).toEqual([
			[0, 2, 1000],
			[1, 2, 501]
		]);
		const one = await guild.members.fetch({ user: [userIds[10], '999999999999999999'] });
		expect([...one.keys()]).toEqual([userIds[10]]);
	});

	it('acknowledges heartbeats', async () => {
		const frame = await sandbox.waitForGatewayFrame((f) => f.op === 1, 3000);
		expect(frame.shardId).toBe(0);
		const deadline = Date.now() + 3000;
		while (client.ws.ping < 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
		expect(client.ws.ping).toBeGreaterThanOrEqual(0);
	});

	it('dispatches messages (content blanked without MessageContent), reactions, voice, members, threads, guild join/leave', async () => {
		const author = userIds[5];
		const created = waitEvent(client, Events.MessageCreate, (m) => m.channelId === textIds[0]);
		const raw = sandbox.sendMessage({ guildId: MAIN.id, channelId: textIds[0], authorId: author, content: 'hello world' });
		const [message] = await created;
		expect(message.id).toBe(raw.id);
		expect(message.author.id).toBe(author);
		expect(message.content).toBe('');
		expect(message.createdTimestamp).toBeGreaterThan(Date.now() - 60_000);

		// A second client with MessageContent + GuildPresences sees content and full small-guild member lists.
		const reader = await login(sandbox, [...INTENTS, GatewayIntentBits.MessageContent, GatewayIntentBits.GuildPresences]);
		try {
			expect(reader.guilds.cache.get(SMALL.id)!.members.cache.size).toBe(SMALL.members.length + 1);
			expect(reader.guilds.cache.get(MAIN.id)!.members.cache.size).toBe(1 + MAIN.voice_states.length);
			const seen = waitEvent(reader, Events.MessageCreate, (m) => m.channelId === textIds[0]);
			const plain = waitEvent(client, Events.MessageCreate, (m) => m.channelId === textIds[0]);
			sandbox.sendMessage({ guildId: MAIN.id, channelId: textIds[0], authorId: author, content: 'with content' });
			expect((await seen)[0].content).toBe('with content');
			expect((await plain)[0].content).toBe('');
		} finally {
			await reader.destroy();
		}

		const added = waitEvent(client, Events.MessageReactionAdd);
		sandbox.addReaction({ guildId: MAIN.id, channelId: textIds[0], messageId: raw.id, userId: userIds[6], emoji: '🔥' });
		const [reaction, reactor] = await added;
		expect([reaction.message.id, reaction.emoji.name, reactor.id]).toEqual([raw.id, '🔥', userIds[6]]);
		const removed = waitEvent(client, Events.MessageReactionRemove);
		sandbox.removeReaction({ guildId: MAIN.id, channelId: textIds[0], messageId: raw.id, userId: userIds[6], emoji: '🔥' });
		expect((await removed)[1].id).toBe(userIds[6]);

		const talker = userIds.find((id) => !inVoice.has(id))!;
		const joined = waitEvent(client, Events.VoiceStateUpdate, (_o, n) => n.id === talker);
		sandbox.voiceUpdate({ guildId: MAIN.id, userId: talker, channelId: voiceIds[1], selfMute: true });
		const [before, after] = await joined;
		expect([before.channelId, after.channelId, after.selfMute]).toEqual([null, voiceIds[1], true]);
		const left = waitEvent(client, Events.VoiceStateUpdate, (_o, n) => n.id === talker);
		sandbox.voiceUpdate({ guildId: MAIN.id, userId: talker, channelId: null });
		expect((await left)[1].channelId).toBeNull();

		const joinedGuild = waitEvent(client, Events.GuildMemberAdd);
		const newcomer = sandbox.memberAdd({ guildId: MAIN.id, user: { username: 'fresh_face' } });
		expect((await joinedGuild)[0].user.username).toBe('fresh_face');
		expect(guild.memberCount).toBe(MAIN.members.length + 2);
		const leftGuild = waitEvent(client, Events.GuildMemberRemove);
		sandbox.memberRemove({ guildId: MAIN.id, userId: newcomer.user.id });
		expect((await leftGuild)[0].id).toBe(newcomer.user.id);

		const threadId = '1300000000000000001';
		const inThread = waitEvent(client, Events.MessageCreate, (m) => m.channelId === threadId);
		sandbox.sendMessage({ guildId: MAIN.id, channelId: threadId, threadParentId: textIds[0], authorId: author, content: 'threaded' });
		const [threadMessage] = await inThread;
		expect(threadMessage.channel.isThread() && threadMessage.channel.parentId).toBe(textIds[0]);

		const extra = seedGuild({ seed: 9, members: 5 });
		const guildJoined = waitEvent(client, Events.GuildCreate);
		sandbox.guildCreate(extra);
		expect((await guildJoined)[0].id).toBe(extra.id);
		const guildLeft = waitEvent(client, Events.GuildDelete);
		sandbox.guildDelete(extra.id);
		expect((await guildLeft)[0].id).toBe(extra.id);
		expect(client.guilds.cache.has(extra.id)).toBe(false);
	});

	it('takes channel.send as JSON and multipart, records it, and echoes the bot its own MESSAGE_CREATE', async () => {
		const target = channel(1);
		const echo = waitEvent(client, Events.MessageCreate, (m) => m.channelId === target.id && m.author.id === client.user!.id);
		const sent = await target.send({ content: 'report', embeds: [{ title: 'Title', description: 'Body' }], allowedMentions: { parse: [] } });
		expect((await echo)[0].id).toBe(sent.id);
		expect(sent.embeds[0].title).toBe('Title');

		const json = sandbox.findRequests((r) => r.route === MESSAGES_ROUTE && r.path === `/channels/${target.id}/messages`)[0];
		expect(json.status).toBe(200);
		expect(json.body).toMatchObject({ content: 'report', embeds: [{ title: 'Title', description: 'Body' }], allowed_mentions: { parse: [] } });
		expect(json.headers.authorization).toBe('REDACTED');
		expect(json.responseHeaders['X-RateLimit-Bucket']).toMatch(/^[0-9a-f]{32}$/);
		expect(json.responseHeaders['X-RateLimit-Limit']).toBe('2');

		const withFile = await target.send({ content: 'chart', files: [new AttachmentBuilder(PNG, { name: 'chart.png' })] });
		expect(withFile.attachments.first()).toMatchObject({ name: 'chart.png', size: PNG.length });
		const multipart = sandbox.findRequests((r) => r.path === `/channels/${target.id}/messages`)[1];
		expect(multipart.body).toMatchObject({ content: 'chart' });
		expect(multipart.files.map((f) => [f.field, f.name, f.size])).toEqual([['files[0]', 'chart.png', PNG.length]]);
		expect(multipart.files[0].data.equals(PNG)).toBe(true);

		const stored = sandbox.messagesIn(target.id);
		expect(stored.map((m) => m.content)).toEqual(['report', 'chart']);
		expect(stored[0].allowedMentions).toEqual({ parse: [] });
		expect(stored[1].files[0].data.equals(PNG)).toBe(true);
		const download = await fetch(withFile.attachments.first()!.url);
		expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);

		const lines = sandbox
			.toJSONL((r) => r.path === `/channels/${target.id}/messages`)
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line));
		expect(lines[1]).toMatchObject({ method: 'POST', path: `/channels/${target.id}/messages`, status: 200, body: { content: 'chart' }, files: [{ name: 'chart.png', size: PNG.length }] });
		const dir = await mkdtemp(join(tmpdir(), 'sandbox-uploads-'));
		try {
			const paths = await sandbox.saveUploads(dir);
			expect(paths.some((p) => p.endsWith('chart.png'))).toBe(true);
			expect((await readFile(paths.find((p) => p.endsWith('chart.png'))!)).equals(PNG)).toBe(true);
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});

	it('sends X-RateLimit headers that discord.js honours: a burst is paced without any 429', async () => {
		const target = channel(2);
		const hitsBefore = sandbox.rateLimitHits();
		const started = Date.now();
		await Promise.all([0, 1, 2, 3, 4].map((i) => target.send(`burst ${i}`)));
		const elapsed = Date.now() - started;
		// 2 per 400 ms window: 2 + 2 + 1 needs two window resets.
		expect(elapsed).toBeGreaterThanOrEqual(750);
		expect(sandbox.rateLimitHits()).toBe(hitsBefore);
		expect(sandbox.messagesIn(target.id).map((m) => m.content)).toEqual([0, 1, 2, 3, 4].map((i) => `burst ${i}`));
		const burst = sandbox.findRequests((r) => r.path === `/channels/${target.id}/messages`);
		expect(burst.every((r) => r.status === 200)).toBe(true);
		expect(burst[1].responseHeaders['X-RateLimit-Remaining']).toBe('0');
		expect(Number(burst[1].responseHeaders['X-RateLimit-Reset-After'])).toBeGreaterThan(0);
	});

	it('enforces the per-channel bucket for clients that ignore the headers (429 with Retry-After and JSON)', async () => {
		const url = `${sandbox.apiUrl}/v10/channels/${textIds[4]}/messages`;
		const post = () => fetch(url, { method: 'POST', headers: { authorization: 'Bot x', 'content-type': 'application/json' }, body: JSON.stringify({ content: 'raw' }) });
		const hitsBefore = sandbox.rateLimitHits();
		const statuses = [];
		let limited: Response | undefined;
		for (let i = 0; i < 3; i++) {
			const res = await post();
			statuses.push(res.status);
			if (res.status === 429) limited = res;
		}
		expect(statuses).toEqual([200, 200, 429]);
		expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(limited!.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(limited!.headers.get('x-ratelimit-scope')).toBe('user');
		const body = (await limited!.json()) as { retry_after: number; global: boolean; message: string };
		expect(body.global).toBe(false);
		expect(body.retry_after).toBeGreaterThan(0);
		expect(sandbox.rateLimitHits()).toBe(hitsBefore + 1);
	});

	it('a forced 429 (route or global) is waited out and the message arrives exactly once', async () => {
		const target = channel(3);
		const hitsBefore = sandbox.rateLimitHits();
		sandbox.faults.rateLimit({ route: MESSAGES_ROUTE, count: 1, retryAfterMs: 300 });
		let started = Date.now();
		await target.send('after a 429');
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		const attempts = sandbox.findRequests((r) => r.path === `/channels/${target.id}/messages`);
		expect(attempts.map((r) => r.status)).toEqual([429, 200]);
		expect(attempts[0].responseHeaders['Retry-After']).toBe('0.300');
		expect(attempts[0].response).toEqual({ message: 'You are being rate limited.', retry_after: 0.3, global: false });
		expect(sandbox.messagesIn(target.id).map((m) => m.content)).toEqual(['after a 429']);

		await new Promise((r) => setTimeout(r, 450)); // let the channel bucket reset so only the global wait counts
		sandbox.faults.rateLimit({ count: 1, retryAfterMs: 300, global: true });
		started = Date.now();
		await target.send('after a global 429');
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		const globalHit = sandbox.findRequests((r) => r.status === 429 && r.responseHeaders['X-RateLimit-Global'] === 'true');
		expect(globalHit).toHaveLength(1);
		expect(globalHit[0].responseHeaders['X-RateLimit-Scope']).toBe('global');
		expect(sandbox.messagesIn(target.id)).toHaveLength(2);
		expect(sandbox.rateLimitHits()).toBe(hitsBefore + 2);
	});

	it('injected 5xx are retried by discord.js; four in a row surface as HTTPError', async () => {
		const target = channel(5);
		sandbox.faults.fail5xx({ route: MESSAGES_ROUTE, count: 2 });
		await target.send('survives two 500s');
		expect(sandbox.findRequests((r) => r.path === `/channels/${target.id}/messages`).map((r) => r.status)).toEqual([500, 500, 200]);

		sandbox.faults.fail5xx({ route: MESSAGES_ROUTE, count: 4, status: 502 });
		const error = await rejection<HTTPError>(target.send('gives up'));
		expect(error).toBeInstanceOf(HTTPError);
		expect(error.status).toBe(502);
		expect(sandbox.messagesIn(target.id).map((m) => m.content)).toEqual(['survives two 500s']);
	});

	it("rejects payloads over Discord's limits with Discord's error shapes", async () => {
		const route = Routes.channelMessages(textIds[6]) as `/${string}`;
		const post = (body: unknown, files?: Array<{ name: string; data: Buffer }>) => rejection(client.rest.post(route, { body, files }));

		const tooLong = await post({ content: 'x'.repeat(2001) });
		expect(tooLong).toBeInstanceOf(DiscordAPIError);
		expect([tooLong.status, tooLong.code]).toEqual([400, 50035]);
		expect(tooLong.rawError).toEqual({
			code: 50035,
			message: 'Invalid Form Body',
			errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } }
		});

		const tooBig = await post({ embeds: [{ description: 'a'.repeat(3001) }, { description: 'b'.repeat(3000) }] });
		expect((tooBig.rawError as unknown as { errors: { embeds: { _errors: Array<{ code: string }> } } }).errors.embeds._errors[0].code).toBe('MAX_EMBED_SIZE_EXCEEDED');

		const tooMany = await post({ embeds: Array.from({ length: 11 }, (_, i) => ({ title: `e${i}` })) });
		expect(tooMany.code).toBe(50035);

		const badField = await post({ embeds: [{ fields: [{ name: 'n', value: 'v'.repeat(1025) }] }] });
		expect((badField.rawError as unknown as { errors: unknown }).errors).toEqual({ embeds: { 0: { fields: { 0: { value: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 1024 or fewer in length.' }] } } } } } });

		const upload = await post({ content: 'big' }, [{ name: 'big.bin', data: Buffer.alloc(8 * 1024 * 1024 + 1) }]);
		expect([upload.status, upload.code]).toEqual([413, 40005]);

		const empty = await post({});
		expect([empty.status, empty.code]).toEqual([400, 50006]);
		expect(sandbox.messagesIn(textIds[6])).toHaveLength(0);
	});

	it('answers 404 10003 for unknown channels and 403 50013 for a denied channel', async () => {
		const unknown = await rejection(client.rest.post(Routes.channelMessages('123456789012345678'), { body: { content: 'x' } }));
		expect([unknown.status, unknown.code]).toEqual([404, 10003]);

		sandbox.state.denyChannel(textIds[7]);
		const denied = await rejection(channel(7).send('nope'));
		expect([denied.status, denied.code, denied.message]).toEqual([403, 50013, 'Missing Permissions']);
		sandbox.state.allowChannel(textIds[7]);
		await channel(7).send('now allowed');
		expect(sandbox.messagesIn(textIds[7]).map((m) => m.content)).toEqual(['now allowed']);
	});

	it('serves users/@me, applications/@me, guilds, channels and members (list with limit/after, single)', async () => {
		const me = (await client.rest.get(Routes.user('@me'))) as { id: string };
		expect(me.id).toBe(sandbox.botUser.id);
		expect(sandbox.findRequests((r) => r.route === 'GET /users/@me').at(-1)?.path).toBe('/users/@me');
		const app = await client.application!.fetch();
		expect(app.id).toBe(sandbox.applicationId);
		const fetchedGuild = (await client.rest.get(Routes.guild(MAIN.id), { query: new URLSearchParams({ with_counts: 'true' }) })) as { name: string; approximate_member_count: number };
		expect(fetchedGuild).toMatchObject({ name: 'Nexus Demo', approximate_member_count: MAIN.members.length + 1 });
		const fetchedChannel = await client.channels.fetch(textIds[0], { force: true });
		expect(fetchedChannel?.id).toBe(textIds[0]);

		const sortedIds = [...MAIN.members.map((m) => m.user.id), sandbox.botUser.id].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
		const page1 = (await client.rest.get(Routes.guildMembers(MAIN.id), { query: new URLSearchParams({ limit: '5' }) })) as Array<{ user: { id: string } }>;
		expect(page1.map((m) => m.user.id)).toEqual(sortedIds.slice(0, 5));
		const page2 = (await client.rest.get(Routes.guildMembers(MAIN.id), { query: new URLSearchParams({ limit: '5', after: page1[4].user.id }) })) as Array<{ user: { id: string } }>;
		expect(page2.map((m) => m.user.id)).toEqual(sortedIds.slice(5, 10));
		const single = await guild.members.fetch({ user: userIds[42], force: true });
		expect(single.joinedTimestamp).toBeGreaterThan(0);
		const missing = await rejection(guild.members.fetch({ user: '123456789012345678', force: true }));
		expect(missing.code).toBe(10007);
	});

	it('registers commands (echoed without extra defaults) and runs interactions with typed options, defer, edit, followup', async () => {
		const definitions = [
			{
				name: 'stats',
				description: 'Server statistics',
				options: [
					{ type: 3, name: 'range', description: 'Range', required: true },
					{ type: 4, name: 'days', description: 'Days' },
					{ type: 5, name: 'public', description: 'Public' },
					{ type: 6, name: 'member', description: 'Member' },
					{ type: 7, name: 'channel', description: 'Channel' },
					{ type: 10, name: 'ratio', description: 'Ratio' }
				]
			}
		];
		await client.application!.commands.set(definitions);
		await guild.commands.set([{ name: 'nexus', description: 'Nexus', options: [{ type: 1, name: 'status', description: 'Status' }] }]);
		const put = sandbox.findRequests((r) => r.route === 'PUT /applications/:id/commands')[0];
		const sent = (put.body as Array<Record<string, unknown>>)[0];
		const echoed = (put.response as Array<Record<string, unknown>>)[0];
		expect(Object.keys(echoed).sort()).toEqual([...new Set([...Object.keys(sent), 'id', 'application_id', 'version', 'type'])].sort());
		expect(echoed.options).toEqual(sent.options);
		const listed = await client.application!.commands.fetch({ withLocalizations: true });
		expect([...listed.values()].map((c) => c.name)).toEqual(['stats']);
		await sandbox.waitForCommands(['stats', 'nexus'], { guildId: MAIN.id, timeoutMs: 1000 });

		const seen: Record<string, unknown> = {};
		const onInteraction = async (interaction: unknown) => {
			const i = interaction as ChatInputCommandInteraction;
			if (!i.isChatInputCommand()) return;
			if (i.commandName === 'nexus') {
				seen.subcommand = i.options.getSubcommand();
				const callback = await i.reply({ content: 'ok', flags: MessageFlags.Ephemeral, withResponse: true });
				seen.withResponse = callback.resource?.message?.content;
				return;
			}
			if (i.options.getString('range') === 'late') {
				await new Promise((r) => setTimeout(r, 1100));
				seen.lateError = await i.deferReply().catch((e: unknown) => e);
				return;
			}
			seen.options = {
				range: i.options.getString('range'),
				days: i.options.getInteger('days'),
				public: i.options.getBoolean('public'),
				member: i.options.getUser('member')?.id,
				memberJoined: i.options.getMember('member') !== null,
				channel: i.options.getChannel('channel')?.id,
				ratio: i.options.getNumber('ratio')
			};
			seen.channelId = i.channelId;
			await i.deferReply();
			await i.editReply({ content: 'done', files: [new AttachmentBuilder(PNG, { name: 'chart.png' })] });
			await i.followUp({ content: 'more' });
		};
		client.on(Events.InteractionCreate, onInteraction);
		try {
			const handle = sandbox.interact({
				guildId: MAIN.id,
				channelId: textIds[0],
				userId: MAIN.owner_id,
				command: 'stats',
				options: { range: '7d', days: 7, public: true, member: userIds[3], channel: voiceIds[0], ratio: 0.5 }
			});
			const response = await handle.waitForResponse();
			expect(response.route).toBe('PATCH /webhooks/:id/:token/messages/@original');
			expect(response.files.map((f) => f.name)).toEqual(['chart.png']);
			expect(seen.options).toEqual({ range: '7d', days: 7, public: true, member: userIds[3], memberJoined: true, channel: voiceIds[0], ratio: 0.5 });
			expect(seen.channelId).toBe(textIds[0]);
			expect(handle.responses()[0]).toMatchObject({ route: 'POST /interactions/:id/:token/callback', status: 204, body: { type: 5 } });
			await handle.waitForResponse((r) => r.route === 'POST /webhooks/:id/:token');
			expect(handle.original()).toMatchObject({ content: 'done', source: 'interaction' });
			expect(handle.original()!.files[0].data.equals(PNG)).toBe(true);
			expect(handle.followups().map((m) => m.content)).toEqual(['more']);

			// A second acknowledgement is refused with 40060 (discord.js guards itself, so ask REST directly).
			const again = await rejection(client.rest.post(Routes.interactionCallback(handle.id, handle.token), { body: { type: 4, data: { content: 'twice' } }, auth: false }));
			expect([again.status, again.code]).toEqual([400, 40060]);

			const status = sandbox.interact({ guildId: MAIN.id, channelId: textIds[0], userId: MAIN.owner_id, command: 'nexus', subcommand: 'status' });
			const reply = await status.waitForResponse();
			expect(seen.subcommand).toBe('status');
			for (let i = 0; i < 100 && seen.withResponse === undefined; i++) await new Promise((r) => setTimeout(r, 10));
			expect(seen.withResponse).toBe('ok'); // with_response=true answers 200 with the message resource
			expect(reply.body).toMatchObject({ type: 4, data: { content: 'ok', flags: MessageFlags.Ephemeral } });
			expect(status.original()!.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);

			const late = sandbox.interact({ guildId: MAIN.id, channelId: textIds[0], userId: userIds[1], command: 'stats', options: { range: 'late' } });
			await late.waitForResponse(() => true, 3000);
			for (let i = 0; i < 100 && seen.lateError === undefined; i++) await new Promise((r) => setTimeout(r, 10));
			expect((seen.lateError as DiscordAPIError).code).toBe(10062);

			expect(() => sandbox.interact({ guildId: MAIN.id, channelId: textIds[0], userId: userIds[1], command: 'stats', options: { nope: 1 } })).toThrow(/not in the registered schema/);
			expect(() => sandbox.interact({ guildId: MAIN.id, channelId: textIds[0], userId: userIds[1], command: 'unknown' })).toThrow(/not registered/);
		} finally {
			client.off(Events.InteractionCreate, onInteraction);
		}
	});

	it('closeGateway(4000): the client RESUMEs and keeps receiving events', async () => {
		const sessionId = readyPayload?.session_id;
		const resumeFrame = sandbox.waitForGatewayFrame((f) => f.op === 6);
		const resumed = waitEvent(client, Events.ShardResume);
		sandbox.faults.closeGateway(4000);
		const frame = await resumeFrame;
		expect(frame.d).toMatchObject({ session_id: sessionId, token: 'REDACTED' });
		await resumed;
		expect(sandbox.sessions().find((s) => s.id === sessionId)).toMatchObject({ connected: true, resumes: 1 });
		const after = waitEvent(client, Events.MessageCreate, (m) => m.content === '' && m.channelId === textIds[1] && m.author.id === userIds[2]);
		sandbox.sendMessage({ guildId: MAIN.id, channelId: textIds[1], authorId: userIds[2], content: 'after resume' });
		await after;
	});

	it('outage refuses connections; after recover the client resumes and gets the events it missed', async () => {
		await sandbox.faults.outage();
		await expect(fetch(`${sandbox.apiUrl}/v10/gateway/bot`)).rejects.toThrow();
		const failed = await rejection<Error & { cause?: { code?: string } }>(channel(1).send('during outage'));
		expect(String(failed.cause?.code ?? failed.message)).toMatch(/ECONNREFUSED/);

		const missed = sandbox.sendMessage({ guildId: MAIN.id, channelId: textIds[1], authorId: userIds[8], content: 'while you were away' });
		const replayed = waitEvent(client, Events.MessageCreate, (m) => m.id === missed.id, 8000);
		const resumeFrame = sandbox.waitForGatewayFrame((f) => f.op === 6, 8000);
		await sandbox.faults.recover();
		await resumeFrame;
		await replayed;
		const sent = await channel(1).send('after outage');
		expect(sandbox.messagesIn(textIds[1]).at(-1)?.id).toBe(sent.id);
	});
});

describe('DiscordSandbox gateway protocol (raw socket)', () => {
	it('sends nothing before IDENTIFY, filters by intents, answers heartbeats and unknown resumes', async () => {
		const seed = seedGuild({ seed: 4, members: 10 });
		const sandbox = await DiscordSandbox.start({ guilds: [seed] });
		const ws = new WebSocket(`${sandbox.gatewayUrl}?v=10&encoding=json`);
		const frames: Array<{ op: number; t?: string; s?: number; d: Record<string, unknown> }> = [];
		ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
		const next = async (predicate: (f: (typeof frames)[number]) => boolean) => {
			const deadline = Date.now() + 3000;
			for (;;) {
				const found = frames.find(predicate);
				if (found) return found;
				if (Date.now() > deadline) throw new Error('frame not received');
				await new Promise((r) => setTimeout(r, 10));
			}
		};
		try {
			await next((f) => f.op === 10);
			const text = seed.channels.find((c) => c.type === 0)!.id;
			sandbox.sendMessage({ guildId: seed.id, channelId: text, authorId: seed.members[1].user.id, content: 'too early' });
			ws.send(JSON.stringify({ op: 1, d: null }));
			await next((f) => f.op === 11);
			expect(frames.filter((f) => f.op === 0)).toHaveLength(0);

			ws.send(JSON.stringify({ op: 2, d: { token: 't', intents: Intent.Guilds, properties: {}, shard: [0, 1] } }));
			const guildCreate = await next((f) => f.t === 'GUILD_CREATE');
			expect(frames.find((f) => f.t === 'READY')?.s).toBe(1);
			expect(guildCreate.s).toBe(2);
			expect(guildCreate.d.voice_states).toEqual([]); // no GuildVoiceStates intent
			expect((guildCreate.d.members as unknown[]).length).toBe(1); // only the bot
			expect((guildCreate.d.channels as Array<{ guild_id?: string }>).every((c) => c.guild_id === undefined)).toBe(true);

			sandbox.sendMessage({ guildId: seed.id, channelId: text, authorId: seed.members[1].user.id, content: 'filtered' });
			sandbox.voiceUpdate({ guildId: seed.id, userId: seed.members[2].user.id, channelId: seed.channels.find((c) => c.type === 2)!.id });
			sandbox.memberAdd({ guildId: seed.id });
			// INTERACTION_CREATE needs no intent (it needs a registered command).
			sandbox.state.commands.set('1', { id: '1', application_id: sandbox.applicationId, version: '1', type: 1, name: 'ping', description: 'p' });
			sandbox.interact({ guildId: seed.id, channelId: text, userId: seed.members[1].user.id, command: 'ping' });
			await next((f) => f.t === 'INTERACTION_CREATE');
			expect(frames.filter((f) => f.op === 0).map((f) => f.t)).toEqual(['READY', 'GUILD_CREATE', 'INTERACTION_CREATE']);

			const other = new WebSocket(`${sandbox.gatewayUrl}?v=10&encoding=json`);
			const otherFrames: Array<{ op: number; d: unknown }> = [];
			other.on('message', (data) => otherFrames.push(JSON.parse(data.toString())));
			await new Promise((r) => other.once('open', r));
			other.send(JSON.stringify({ op: 6, d: { token: 't', session_id: 'nope', seq: 3 } }));
			const deadline = Date.now() + 3000;
			while (!otherFrames.some((f) => f.op === 9) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
			expect(otherFrames.find((f) => f.op === 9)?.d).toBe(false);
			other.close();
		} finally {
			ws.close();
			await sandbox.stop();
		}
	});
});

describe('DiscordSandbox sharding', () => {
	it('routes guilds to shards by (guild_id >> 22) % shardCount: two shards get disjoint guild sets', async () => {
		const seeds: GuildSeed[] = [];
		const perShard = [0, 0];
		for (let seed = 10; perShard[0] < 2 || perShard[1] < 2; seed++) {
			const g = seedGuild({ seed, members: 5, bots: 0 });
			const shard = shardForGuild(g.id, 2);
			if (perShard[shard] < 2) {
				perShard[shard]++;
				seeds.push(g);
			}
		}
		const sandbox = await DiscordSandbox.start({ guilds: seeds, shardCount: 2, maxConcurrency: 2 });
		const readyGuilds = new Map<number, string[]>();
		const client = sandboxClient(sandbox, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], { shards: 'auto' });
		onRaw<{ guilds: Array<{ id: string }>; shard: [number, number] }>(client, (packet) => {
			if (packet.t === 'READY') readyGuilds.set(packet.d!.shard[0], packet.d!.guilds.map((g) => g.id));
		});
		try {
			const ready = waitEvent(client, Events.ClientReady, () => true, 15_000);
			await client.login('sandbox-token');
			await ready;
			await sandbox.waitForReady({ timeoutMs: 1000 });
			expect(sandbox.sessions().map((s) => s.shardId).sort()).toEqual([0, 1]);
			const shard0 = readyGuilds.get(0)!;
			const shard1 = readyGuilds.get(1)!;
			expect(shard0).toHaveLength(2);
			expect(shard1).toHaveLength(2);
			expect(shard0.filter((id) => shard1.includes(id))).toEqual([]);
			expect([...shard0, ...shard1].sort()).toEqual(seeds.map((g) => g.id).sort());
			for (const g of client.guilds.cache.values()) expect(g.shardId).toBe(shardForGuild(g.id, 2));

			const target = seeds.find((g) => shardForGuild(g.id, 2) === 1)!;
			const received = waitEvent(client, Events.MessageCreate);
			const raw = sandbox.sendMessage({ guildId: target.id, channelId: target.channels.find((c) => c.type === 0)!.id, authorId: target.members[1].user.id, content: 'x' });
			const [message] = await received;
			expect([message.id, message.guild?.shardId]).toEqual([raw.id, 1]);
			expect(sandbox.sessions().find((s) => s.shardId === 0)!.seq).toBe(1 + 2); // READY + 2 GUILD_CREATE, nothing else
		} finally {
			await client.destroy();
			await sandbox.stop();
		}
	});
});

describe('DiscordSandbox and Sapphire command registration', () => {
	it('echoes commands so that a restarted Sapphire bot finds them identical (no PATCH/POST on the second start)', async () => {
		const sandbox = await DiscordSandbox.start({ guilds: [seedGuild({ seed: 5, members: 5 })] });
		const fixture = fileURLToPath(new URL('./fixtures/sapphireRegistrationBot.ts', import.meta.url));
		const guildId = [...sandbox.state.guilds.keys()][0];
		const boot = () => promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, sandbox.apiUrl, guildId], { timeout: 20_000 });
		const commandCalls = (from: number) =>
			sandbox.requests
				.slice(from)
				.filter((r) => r.route.includes('/commands') && r.method !== 'GET')
				.map((r) => `${r.route} ${r.status}`)
				.sort();
		try {
			let mark = sandbox.requests.length;
			await boot();
			expect(commandCalls(mark)).toEqual(['POST /applications/:id/commands 201', 'POST /applications/:id/guilds/:id/commands 201']);
			mark = sandbox.requests.length;
			await boot();
			const reads = sandbox.requests.slice(mark).map((r) => r.route);
			expect(reads).toContain('GET /applications/:id/commands');
			expect(reads).toContain('GET /applications/:id/guilds/:id/commands');
			expect(commandCalls(mark)).toEqual([]);
		} finally {
			await sandbox.stop();
		}
	});
});
