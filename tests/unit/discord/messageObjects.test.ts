import { Client, GatewayIntentBits, MessageType, type ClientOptions, type GatewayMessageCreateDispatchData } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { countableMessage, skipMessageObjects } from '#lib/discord/messageObjects.js';

const message = (overrides: Partial<GatewayMessageCreateDispatchData> = {}) =>
	({
		id: '1300000000000000001',
		channel_id: '1300000000000000002',
		guild_id: '1300000000000000003',
		author: { id: '1300000000000000004', username: 'someone', discriminator: '0', global_name: null, avatar: null },
		type: MessageType.Default,
		content: '',
		timestamp: new Date().toISOString(),
		edited_timestamp: null,
		tts: false,
		mention_everyone: false,
		mentions: [],
		mention_roles: [],
		attachments: [],
		embeds: [],
		pinned: false,
		...overrides
	}) as GatewayMessageCreateDispatchData;

describe('messages counted from the raw dispatch', () => {
	let client: Client | undefined;
	afterEach(async () => client?.destroy());

	it('skipMessageObjects: discord.js builds no Message and emits no messageCreate for a cached text channel', () => {
		client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] } as unknown as ClientOptions); // 'tasks' is the scheduled-tasks plugin's, unused here
		// The caches as the gateway fills them (discord.js's internal _add), so the action finds a text channel.
		type Adder = { _add(data: unknown, ...rest: unknown[]): { id: string } };
		const guild = (client.guilds as unknown as Adder)._add({ id: '1300000000000000003', name: 'g', channels: [], roles: [], members: [] });
		(client.channels as unknown as Adder)._add({ id: '1300000000000000002', type: 0, name: 'general', guild_id: guild.id }, guild);
		const created: unknown[] = [];
		client.on('messageCreate', (m) => created.push(m));
		const handle = (data: GatewayMessageCreateDispatchData) => (client as unknown as { actions: { MessageCreate: { handle(d: unknown): unknown } } }).actions.MessageCreate.handle(data);

		// Without the switch, discord.js does build and emit one: the test would notice a discord.js change.
		handle(message());
		expect(created).toHaveLength(1);
		expect(skipMessageObjects(client)).toBe(true);
		handle(message({ id: '1300000000000000009' }));
		expect(created).toHaveLength(1);
	});

	it('skipMessageObjects changes nothing on a client without the action', () => {
		expect(skipMessageObjects({} as Client)).toBe(false);
	});

	it('countableMessage: guild messages of members and bots count; DMs, our own posts and system messages do not', () => {
		expect(countableMessage(message(), 'self')).toEqual({ guildId: '1300000000000000003', channelId: '1300000000000000002', userId: '1300000000000000004', bot: false });
		expect(countableMessage(message({ type: MessageType.Reply, author: { ...message().author, bot: true } }), 'self')?.bot).toBe(true);
		expect(countableMessage(message({ type: MessageType.ChatInputCommand }), 'self')).toBeDefined();
		expect(countableMessage(message({ guild_id: undefined }), 'self')).toBeUndefined();
		expect(countableMessage(message(), '1300000000000000004')).toBeUndefined();
		expect(countableMessage(message({ type: MessageType.UserJoin }), 'self')).toBeUndefined();
		expect(countableMessage(message({ type: MessageType.ChannelPinnedMessage }), 'self')).toBeUndefined();
	});
});
