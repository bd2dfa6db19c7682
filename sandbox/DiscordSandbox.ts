import { IdentifyRateGuard, type IdentifyViolation } from './IdentifyRateGuard.js';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelRenameLimiter, DEFAULT_CHANNEL_RENAME_LIMIT } from './ChannelRenameLimiter.js';
import { GatewayServer, type GatewaySession } from './GatewayServer.js';
import { MessageService } from './MessageService.js';
import { parseEmoji } from './parseEmoji.js';
import { guildCreatePayload, memberObject, partialMember, voiceStatePayload } from './payloads.js';
import { Permission } from './permissions.js';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimitConfig, type WindowLimit } from './RateLimiter.js';
import { BodyError, readRequestBody, type ParsedBody } from './readRequestBody.js';
import { RestRouter, unmatchedRoute, type RestResponse } from './RestRouter.js';
import { registerChannelRoutes } from './routes/channelRoutes.js';
import { registerCommandRoutes } from './routes/commandRoutes.js';
import { registerGuildRoutes } from './routes/guildRoutes.js';
import { registerInteractionRoutes } from './routes/interactionRoutes.js';
import { registerMetaRoutes } from './routes/metaRoutes.js';
import type { SandboxContext } from './SandboxContext.js';
import { SandboxFaults } from './SandboxFaults.js';
import { SandboxState, type GuildRecord, type InteractionRecord } from './SandboxState.js';
import { seedGuild } from './seedGuild.js';
import { snowflake, SnowflakeGenerator } from './snowflake.js';
import {
	ChannelType,
	type ApplicationCommand,
	type ApplicationCommandOption,
	type BotUser,
	type Channel,
	type GatewayFrame,
	type GuildSeed,
	type MemberObject,
	type MessageObject,
	type RecordedRequest,
	type Role,
	type StoredMessage,
	type User,
	type VoiceStateObject
} from './types.js';

export interface SandboxOptions {
	/** 0 (default) = ephemeral port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Default: one demo guild from seedGuild(). Pass [] for none. */
	guilds?: GuildSeed[];
	/** GET /gateway/bot returns this; guilds go to shard (guild_id >> 22) % count of the IDENTIFY. Default 1. */
	shardCount?: number;
	/** session_start_limit.max_concurrency (default 1 like Discord; discord.js then identifies shards 5 s apart). */
	maxConcurrency?: number;
	/**
	 * Discord's identify rate (one IDENTIFY per 5 s per `shard_id % max_concurrency`, bot-wide): always
	 * recorded in `identifyViolations`; 'enforce' also answers an early IDENTIFY with op 9 as Discord does. Default 'record'.
	 */
	identifyRate?: 'record' | 'enforce';
	/** Default ON: 5 message POSTs per 5000 ms per channel, 50 requests per 1000 ms global. */
	rateLimits?: false | { perChannel?: WindowLimit; global?: WindowLimit; perRoute?: WindowLimit; channelRenames?: WindowLimit };
	/** Default true: reject message payloads over Discord's limits (400 50035, 413 40005). */
	validate?: boolean;
	/** Default 41250. */
	heartbeatIntervalMs?: number;
	logger?: (line: string) => void;
	/** When set, only this bot token is accepted (REST 401, gateway close 4004); otherwise any token. */
	token?: string;
	applicationId?: string;
	botUser?: Partial<User>;
	/** Permissions of the bot's managed role in every guild. */
	botPermissions?: bigint;
	/** First interaction callback deadline (default 3000 ms, as Discord). */
	interactionDeadlineMs?: number;
	/** Clock for deadlines, rate-limit windows and timestamps (default Date.now). */
	now?: () => number;
}

export interface InteractionHandle {
	id: string;
	token: string;
	/** The INTERACTION_CREATE payload that was dispatched. */
	payload: Record<string, unknown>;
	/** Callback, @original edits and followups recorded for this interaction so far. */
	responses(): RecordedRequest[];
	/**
	 * First response (past or future) matching `predicate`; by default the first successful one
	 * that carries content, embeds or files (so a bare defer does not count).
	 */
	waitForResponse(predicate?: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
	/** The original response message (reply or completed defer), if any. */
	original(): StoredMessage | undefined;
	followups(): StoredMessage[];
	record(): InteractionRecord;
}

export interface InteractOptions {
	guildId: string;
	channelId: string;
	userId: string;
	command: string;
	subcommand?: string;
	subcommandGroup?: string;
	options?: Record<string, string | number | boolean>;
	locale?: string;
}

/** What the bot's managed role may do unless `botPermissions` says otherwise (no Manage Channels, like a typical invite). */
export const DEFAULT_BOT_PERMISSIONS =
	Permission.ViewChannel |
	Permission.SendMessages |
	Permission.SendMessagesInThreads |
	Permission.EmbedLinks |
	Permission.AttachFiles |
	Permission.ReadMessageHistory |
	Permission.AddReactions |
	Permission.UseExternalEmojis |
	Permission.UseApplicationCommands |
	Permission.Connect;

const VOICE_TYPES = new Set<number>([ChannelType.GuildVoice, ChannelType.GuildStageVoice]);

/**
 * A local stand-in for Discord: REST under /api and a JSON gateway at /gateway on 127.0.0.1, that a
 * real discord.js client logs into with `rest: { api: sandbox.apiUrl }`. Tests drive it with the
 * dispatch helpers, inspect `requests`/`state`, and break it with `faults`.
 */
export class DiscordSandbox {
	public readonly state: SandboxState;
	public readonly requests: RecordedRequest[] = [];
	/** IDENTIFYs that broke Discord's identify rate (see `identifyRate`); tests assert there are none. */
	public get identifyViolations(): readonly IdentifyViolation[] {
		return this.identifyGuard.violations;
	}
	private readonly identifyGuard: IdentifyRateGuard;
	/** Frames clients sent on the gateway (IDENTIFY, RESUME, heartbeats...), tokens redacted. */
	public readonly gatewayFrames: GatewayFrame[] = [];
	public readonly faults: SandboxFaults;
	public readonly applicationId: string;
	public readonly botUser: BotUser;
	public readonly shardCount: number;

	private readonly ids: SnowflakeGenerator;
	private readonly gateway: GatewayServer;
	private readonly messageService: MessageService;
	private readonly router = new RestRouter();
	private readonly limiter: RateLimiter | null;
	private readonly server: Server;
	private readonly sockets = new Set<Socket>();
	private readonly requestListeners = new Set<(r: RecordedRequest) => void>();
	private readonly frameListeners = new Set<(f: GatewayFrame) => void>();
	private readonly pendingWaits = new Set<(error: Error) => void>();
	private readonly now: () => number;
	private readonly log: (line: string) => void;
	private readonly botPermissions: bigint;
	private port = 0;
	private listening = false;
	private stopped = false;
	private served429 = 0;
	private userCounter = 0;

	private constructor(private readonly options: SandboxOptions) {
		this.now = options.now ?? Date.now;
		this.log = options.logger ?? (() => {});
		this.ids = new SnowflakeGenerator(this.now);
		this.shardCount = Math.max(1, options.shardCount ?? 1);
		this.applicationId = options.applicationId ?? snowflake(Date.UTC(2023, 4, 1), 0x1e5);
		this.botUser = {
			id: this.applicationId,
			username: 'Nexus',
			global_name: null,
			discriminator: '0',
			avatar: null,
			public_flags: 0,
			...options.botUser,
			bot: true
		};
		this.botPermissions = options.botPermissions ?? DEFAULT_BOT_PERMISSIONS;
		this.state = new SandboxState(this.botUser.id);
		this.state.users.set(this.botUser.id, this.botUser);
		this.limiter =
			options.rateLimits === false
				? null
				: new RateLimiter(
						{
							perChannel: options.rateLimits?.perChannel ?? DEFAULT_RATE_LIMITS.perChannel,
							global: options.rateLimits?.global ?? DEFAULT_RATE_LIMITS.global,
							perRoute: options.rateLimits?.perRoute ?? DEFAULT_RATE_LIMITS.perRoute
						} satisfies RateLimitConfig,
						this.now
					);
		this.identifyGuard = new IdentifyRateGuard(() => Math.max(1, options.maxConcurrency ?? 1), this.now);
		this.gateway = new GatewayServer({
			identifyGuard: { guard: this.identifyGuard, enforce: options.identifyRate === 'enforce' },
			state: this.state,
			botUser: this.botUser,
			applicationId: this.applicationId,
			gatewayUrl: () => this.gatewayUrl,
			heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
			token: options.token,
			now: this.now,
			log: this.log,
			onFrame: (frame) => {
				this.gatewayFrames.push(frame);
				for (const listener of [...this.frameListeners]) listener(frame);
			}
		});
		this.messageService = new MessageService({
			state: this.state,
			ids: this.ids,
			botUser: this.botUser,
			applicationId: this.applicationId,
			gateway: this.gateway,
			baseUrl: () => this.url,
			now: this.now
		});
		this.faults = new SandboxFaults({
			outage: () => this.goDown(),
			recover: () => this.comeUp(),
			closeGateway: (code, shardId) => void this.gateway.closeSockets(code, shardId),
			reconnect: (shardId) => this.gateway.requestReconnect(shardId),
			invalidateSession: (shardId) => this.gateway.invalidateSessions(shardId)
		});

		const seeds = options.guilds ?? [seedGuild()];
		const owner = seeds[0] ? seeds[0].members.find((m) => m.user.id === seeds[0].owner_id)?.user : undefined;
		const ctx: SandboxContext = {
			state: this.state,
			ids: this.ids,
			botUser: this.botUser,
			applicationId: this.applicationId,
			applicationOwner: owner ?? { id: snowflake(Date.UTC(2019, 0, 1), 1), username: 'owner', global_name: 'Owner', discriminator: '0', avatar: null },
			gateway: this.gateway,
			messages: this.messageService,
			validate: options.validate ?? true,
			channelRenames: options.rateLimits === false ? null : new ChannelRenameLimiter(options.rateLimits?.channelRenames ?? DEFAULT_CHANNEL_RENAME_LIMIT, this.now),
			shardCount: this.shardCount,
			maxConcurrency: Math.max(1, options.maxConcurrency ?? 1),
			interactionDeadlineMs: options.interactionDeadlineMs ?? 3000,
			interactionTokenTtlMs: 15 * 60_000,
			now: this.now,
			log: this.log,
			url: () => this.url,
			gatewayUrl: () => this.gatewayUrl
		};
		registerMetaRoutes(this.router, ctx);
		registerCommandRoutes(this.router, ctx);
		registerChannelRoutes(this.router, ctx);
		registerGuildRoutes(this.router, ctx);
		registerInteractionRoutes(this.router, ctx);
		for (const seed of seeds) this.addGuild(seed);

		this.server = createServer({ keepAlive: true }, (req, res) => void this.handleHttp(req, res));
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		this.server.on('upgrade', (req, socket, head) => this.gateway.handleUpgrade(req, socket, head));
	}

	/** Starts listening (ephemeral port unless `port` is given) and resolves when ready for clients. */
	public static async start(options: SandboxOptions = {}): Promise<DiscordSandbox> {
		const sandbox = new DiscordSandbox(options);
		await sandbox.listen(options.port ?? 0);
		sandbox.log(`sandbox listening on ${sandbox.url} (api ${sandbox.apiUrl})`);
		return sandbox;
	}

	/** http://127.0.0.1:PORT */
	public get url(): string {
		return `http://${this.host}:${this.port}`;
	}

	/** http://127.0.0.1:PORT/api — pass as discord.js `rest.api` (it appends /v10). */
	public get apiUrl(): string {
		return `${this.url}/api`;
	}

	/** ws://127.0.0.1:PORT/gateway */
	public get gatewayUrl(): string {
		return `ws://${this.host}:${this.port}/gateway`;
	}

	private get host(): string {
		return this.options.host ?? '127.0.0.1';
	}

	// ---- recording ----------------------------------------------------------------------------

	public onRequest(listener: (r: RecordedRequest) => void): () => void {
		this.requestListeners.add(listener);
		return () => this.requestListeners.delete(listener);
	}

	public findRequests(predicate: (r: RecordedRequest) => boolean = () => true): RecordedRequest[] {
		return this.requests.filter(predicate);
	}

	/** Resolves with the next request (recorded after this call) matching `predicate`. */
	public waitForRequest(predicate: (r: RecordedRequest) => boolean, timeoutMs = 10_000): Promise<RecordedRequest> {
		return this.waitOn(this.requestListeners, predicate, timeoutMs, () => `a matching REST request; last ones: ${this.describeRecent()}`);
	}

	public onGatewayFrame(listener: (f: GatewayFrame) => void): () => void {
		this.frameListeners.add(listener);
		return () => this.frameListeners.delete(listener);
	}

	/** Resolves with the next gateway frame a client sends matching `predicate` (e.g. f => f.op === 6). */
	public waitForGatewayFrame(predicate: (f: GatewayFrame) => boolean, timeoutMs = 10_000): Promise<GatewayFrame> {
		return this.waitOn(this.frameListeners, predicate, timeoutMs, () => 'a matching gateway frame');
	}

	/** Number of 429 responses served, forced and organic. */
	public rateLimitHits(): number {
		return this.served429;
	}

	/** Every 429 served, as `METHOD path (global|route)` with its time, so a test that expects none says which. */
	public rateLimited(): string[] {
		return this.requests
			.filter((r) => r.status === 429)
			.map((r) => `${new Date(r.at).toISOString()} ${r.method} ${r.path} (${(r.response as { global?: boolean } | null)?.global ? 'global' : 'route'})`);
	}

	/** One JSON line per request: method, path, route, status, body, files metadata. */
	public toJSONL(predicate: (r: RecordedRequest) => boolean = () => true): string {
		return this.requests
			.filter(predicate)
			.map((r) =>
				JSON.stringify({
					at: new Date(r.at).toISOString(),
					method: r.method,
					path: r.path,
					route: r.route,
					status: r.status,
					body: r.body,
					files: r.files.map((f) => ({ name: f.name, size: f.size, contentType: f.contentType }))
				})
			)
			.map((line) => `${line}\n`)
			.join('');
	}

	/** Writes every file of every successful upload to `dir` as NNNN-name; returns the paths. */
	public async saveUploads(dir: string): Promise<string[]> {
		await mkdir(dir, { recursive: true });
		const paths: string[] = [];
		let n = 0;
		for (const request of this.requests) {
			if (request.status >= 300) continue;
			for (const file of request.files) {
				const path = join(dir, `${String(++n).padStart(4, '0')}-${file.name.replace(/[^\w.-]+/g, '_')}`);
				await writeFile(path, file.data);
				paths.push(path);
			}
		}
		return paths;
	}

	/** Messages the bot posted in a channel (content, embeds, files), oldest first. */
	public messagesIn(channelId: string): StoredMessage[] {
		return this.state.botMessages(channelId);
	}

	// ---- readiness ----------------------------------------------------------------------------

	/** Resolves when the shard (or every shard 0..shardCount-1) has IDENTIFYed and got its GUILD_CREATEs, or resumed. */
	public waitForReady(opts: { shardId?: number; timeoutMs?: number } = {}): Promise<void> {
		const shards = opts.shardId === undefined ? Array.from({ length: this.shardCount }, (_, i) => i) : [opts.shardId];
		return this.gateway.waitFor(() => shards.every((id) => this.gateway.isReady(id)), opts.timeoutMs ?? 15_000, `shard(s) ${shards.join(',')} to be ready`);
	}

	/** Resolves when every named command is registered (globally, or in `guildId` when given). */
	public async waitForCommands(names: string[], opts: { guildId?: string; timeoutMs?: number } = {}): Promise<ApplicationCommand[]> {
		const find = () => names.map((name) => this.state.findCommand(name, opts.guildId));
		const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
		while (find().some((cmd) => cmd === undefined)) {
			if (Date.now() > deadline) throw new Error(`Sandbox: commands not registered in time: ${names.filter((_, i) => !find()[i]).join(', ')}`);
			await this.waitForRequest((r) => r.route.includes('/commands'), Math.max(1, deadline - Date.now())).catch(() => undefined);
		}
		return find() as ApplicationCommand[];
	}

	/**
	 * Live gateway sessions (shard, intents, seq, connected or not). `open`: dispatches are written to
	 * the socket now (false once the client's close frame arrived: they only go to the resume buffer).
	 */
	public sessions(): Array<{ id: string; shardId: number; shardCount: number; intents: number; seq: number; connected: boolean; open: boolean; resumes: number }> {
		return [...this.gateway.sessions.values()].map((s) => ({
			id: s.id,
			shardId: s.shardId,
			shardCount: s.shardCount,
			intents: s.intents,
			seq: s.seq,
			connected: s.socket !== null,
			open: s.socket?.readyState === 1,
			resumes: s.resumes
		}));
	}

	// ---- dispatch helpers ---------------------------------------------------------------------

	/** Raw dispatch to the shard owning `guildId` (every session when null), filtered by intents. */
	public dispatch(guildId: string | null, t: string, d: unknown): void {
		this.gateway.dispatch(guildId, t, d);
	}

	/** A user posts a message (MESSAGE_CREATE). With threadParentId, channelId is a thread (created on first use). */
	public sendMessage(o: { guildId: string; channelId: string; authorId: string; content?: string; threadParentId?: string }): MessageObject {
		const guild = this.requireGuild(o.guildId);
		let channel = this.state.channel(o.channelId);
		if (!channel && o.threadParentId) channel = this.createThread(guild, o.channelId, o.threadParentId, o.authorId);
		if (!channel || channel.guild_id !== guild.id) throw new Error(`Sandbox: unknown channel ${o.channelId} in guild ${guild.id}`);
		const member = this.ensureMember(guild, o.authorId);
		const message = this.messageService.userMessage({ channel, author: member.user, content: o.content ?? '' });
		this.gateway.dispatch(guild.id, 'MESSAGE_CREATE', message.raw);
		return message.raw;
	}

	public addReaction(o: { guildId: string; channelId: string; messageId: string; userId: string; emoji?: string }): void {
		this.reaction('MESSAGE_REACTION_ADD', o);
	}

	public removeReaction(o: { guildId: string; channelId: string; messageId: string; userId: string; emoji?: string }): void {
		this.reaction('MESSAGE_REACTION_REMOVE', o);
	}

	/** Join (channelId), move, change mute/deaf/stream flags, or leave (channelId null) a voice channel. */
	public voiceUpdate(o: { guildId: string; userId: string; channelId: string | null; selfMute?: boolean; selfDeaf?: boolean; selfStream?: boolean; mute?: boolean; deaf?: boolean }): VoiceStateObject {
		const guild = this.requireGuild(o.guildId);
		const member = this.ensureMember(guild, o.userId);
		if (o.channelId !== null) {
			const channel = this.state.channel(o.channelId);
			if (!channel || channel.guild_id !== guild.id || !VOICE_TYPES.has(channel.type)) throw new Error(`Sandbox: ${o.channelId} is not a voice channel of guild ${guild.id}`);
		}
		const previous = guild.voiceStates.get(o.userId);
		const moved = previous?.channel_id !== o.channelId;
		const state: VoiceStateObject = {
			user_id: o.userId,
			channel_id: o.channelId,
			session_id: previous?.session_id ?? randomBytes(16).toString('hex'),
			deaf: o.deaf ?? previous?.deaf ?? false,
			mute: o.mute ?? previous?.mute ?? false,
			self_deaf: o.selfDeaf ?? previous?.self_deaf ?? false,
			self_mute: o.selfMute ?? previous?.self_mute ?? false,
			self_stream: o.selfStream ?? (moved ? false : (previous?.self_stream ?? false)),
			self_video: false,
			suppress: false,
			request_to_speak_timestamp: null
		};
		this.state.setVoiceState(guild.id, state);
		this.gateway.dispatch(guild.id, 'VOICE_STATE_UPDATE', voiceStatePayload(guild.id, state, member));
		return state;
	}

	/** A user joins (GUILD_MEMBER_ADD); unspecified user fields are generated. */
	public memberAdd(o: { guildId: string; user?: Partial<User>; roles?: string[] }): MemberObject {
		const guild = this.requireGuild(o.guildId);
		const id = o.user?.id ?? this.ids.next();
		const n = ++this.userCounter;
		const user: User = { id, username: `newcomer_${n}`, global_name: `Newcomer ${n}`, discriminator: '0', avatar: null, ...o.user };
		const member = this.state.addMember(guild.id, memberObject(user, o.roles ?? [], new Date(this.now()).toISOString()));
		this.gateway.dispatch(guild.id, 'GUILD_MEMBER_ADD', { ...member, guild_id: guild.id });
		return member;
	}

	/** A user leaves (voice disconnect first if in voice, then GUILD_MEMBER_REMOVE). */
	public memberRemove(o: { guildId: string; userId: string }): void {
		const guild = this.requireGuild(o.guildId);
		const member = guild.members.get(o.userId);
		if (!member) throw new Error(`Sandbox: ${o.userId} is not a member of guild ${guild.id}`);
		if (guild.voiceStates.has(o.userId)) this.voiceUpdate({ guildId: guild.id, userId: o.userId, channelId: null });
		this.state.removeMember(guild.id, o.userId);
		this.gateway.dispatch(guild.id, 'GUILD_MEMBER_REMOVE', { guild_id: guild.id, user: member.user });
	}

	/** Someone deletes a message (MESSAGE_DELETE); later REST calls on it answer 404 10008 Unknown Message. */
	public deleteMessage(messageId: string): void {
		const message = this.state.message(messageId);
		if (!message || message.deleted) throw new Error(`Sandbox: unknown message ${messageId}`);
		this.messageService.delete(message);
	}

	/** An admin deletes a channel (CHANNEL_DELETE); later REST calls on it answer 404 10003 Unknown Channel. */
	public channelDelete(channelId: string): void {
		const channel = this.state.channel(channelId);
		if (!channel) throw new Error(`Sandbox: unknown channel ${channelId}`);
		this.state.removeChannel(channelId);
		this.gateway.dispatch(channel.guild_id, 'CHANNEL_DELETE', channel);
	}

	/** Sets the permissions of the bot's managed role in a guild (GUILD_ROLE_UPDATE), e.g. to revoke Manage Channels. */
	public setBotPermissions(guildId: string, permissions: bigint): void {
		const guild = this.requireGuild(guildId);
		const role = [...guild.roles.values()].find((r) => r.managed && r.tags?.bot_id === this.botUser.id);
		if (!role) throw new Error(`Sandbox: the bot has no managed role in ${guildId}`);
		role.permissions = permissions.toString();
		this.gateway.dispatch(guild.id, 'GUILD_ROLE_UPDATE', { guild_id: guild.id, role });
	}

	/** The bot joins a guild: state + GUILD_CREATE to the owning shard. */
	public guildCreate(seed: GuildSeed): void {
		const guild = this.addGuild(seed);
		this.gateway.dispatch(guild.id, 'GUILD_CREATE', (session: GatewaySession) => guildCreatePayload(this.state, guild, this.gateway.guildCreateOptions(session)));
	}

	/** The bot leaves / is removed from a guild (GUILD_DELETE). */
	public guildDelete(guildId: string): void {
		this.requireGuild(guildId);
		// Dispatch first: routing needs the guild id only, the state goes afterwards.
		this.gateway.dispatch(guildId, 'GUILD_DELETE', { id: guildId });
		this.state.removeGuild(guildId);
	}

	/** A user runs a registered slash command (INTERACTION_CREATE); options are typed from the registered schema. */
	public interact(o: InteractOptions): InteractionHandle {
		const guild = this.requireGuild(o.guildId);
		const channel = this.state.channel(o.channelId);
		if (!channel || channel.guild_id !== guild.id) throw new Error(`Sandbox: unknown channel ${o.channelId} in guild ${guild.id}`);
		const command = this.state.findCommand(o.command, guild.id);
		if (!command) throw new Error(`Sandbox: /${o.command} is not registered (globally or in guild ${guild.id}); wait for registration first (sandbox.waitForCommands)`);
		const member = this.ensureMember(guild, o.userId);
		const resolved: Record<string, Record<string, unknown>> = {};
		const options = this.buildOptions(guild, command, o, resolved);
		const id = this.ids.next();
		const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(48).toString('base64url')}`;
		const memberPermissions = this.state.permissions(guild.id, member.user.id, channel.id);
		const payload: Record<string, unknown> = {
			id,
			application_id: this.applicationId,
			type: 2,
			token,
			version: 1,
			guild_id: guild.id,
			guild: { id: guild.id, locale: guild.preferred_locale, features: guild.features },
			guild_locale: guild.preferred_locale,
			locale: o.locale ?? 'en-US',
			channel_id: channel.id,
			channel: { ...channel, permissions: memberPermissions.toString() },
			member: { ...member, permissions: memberPermissions.toString() },
			app_permissions: this.state.permissions(guild.id, this.botUser.id, channel.id).toString(),
			entitlements: [],
			authorizing_integration_owners: { '0': guild.id },
			context: 0,
			attachment_size_limit: 8 * 1024 * 1024,
			data: {
				id: command.id,
				name: command.name,
				type: 1,
				...(command.guild_id ? { guild_id: command.guild_id } : {}),
				...(options.length ? { options } : {}),
				...(Object.keys(resolved).length ? { resolved } : {})
			}
		};
		const record: InteractionRecord = {
			id,
			token,
			applicationId: this.applicationId,
			guildId: guild.id,
			channelId: channel.id,
			userId: member.user.id,
			commandName: command.name,
			createdAt: this.now(),
			ackType: null,
			ackAt: null,
			ephemeral: false,
			originalMessageId: null,
			followupIds: []
		};
		this.state.addInteraction(record);
		this.gateway.dispatch(guild.id, 'INTERACTION_CREATE', payload);

		const belongs = (r: RecordedRequest) => r.path.startsWith(`/interactions/${id}/${token}/`) || r.path === `/webhooks/${this.applicationId}/${token}` || r.path.startsWith(`/webhooks/${this.applicationId}/${token}/`);
		return {
			id,
			token,
			payload,
			responses: () => this.findRequests(belongs),
			waitForResponse: (predicate = carriesContent, timeoutMs = 10_000) => {
				const past = this.findRequests((r) => belongs(r) && predicate(r))[0];
				if (past) return Promise.resolve(past);
				return this.waitOn(this.requestListeners, (r) => belongs(r) && predicate(r), timeoutMs, () => {
					const seen = this.findRequests(belongs).map((r) => `${r.route} -> ${r.status}`);
					return `a response to /${command.name} (interaction ${id}); seen so far: ${seen.join(', ') || 'none'}`;
				});
			},
			original: () => (record.originalMessageId ? this.state.message(record.originalMessageId) : undefined),
			followups: () => record.followupIds.map((mid) => this.state.message(mid)).filter((m): m is StoredMessage => m !== undefined),
			record: () => record
		};
	}

	// ---- lifecycle ----------------------------------------------------------------------------

	public async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		for (const reject of [...this.pendingWaits]) reject(new Error('Sandbox stopped'));
		await this.goDown();
		this.gateway.close();
		this.log('sandbox stopped');
	}

	private listen(port: number): Promise<void> {
		return new Promise((resolve, reject) => {
			const onError = (error: Error) => reject(error);
			this.server.once('error', onError);
			this.server.listen(port, this.host, () => {
				this.server.off('error', onError);
				this.port = (this.server.address() as AddressInfo).port;
				this.listening = true;
				resolve();
			});
		});
	}

	private async goDown(): Promise<void> {
		if (!this.listening) return;
		this.listening = false;
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		this.gateway.terminateAll();
		for (const socket of this.sockets) socket.destroy();
		this.server.closeAllConnections();
		await closed;
		this.log('sandbox: outage (not listening)');
	}

	private async comeUp(): Promise<void> {
		if (this.listening || this.stopped) return;
		await this.listen(this.port);
		this.log(`sandbox: recovered on ${this.url}`);
	}

	// ---- REST pipeline ------------------------------------------------------------------------

	private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const at = this.now();
		const started = performance.now();
		const method = (req.method ?? 'GET').toUpperCase();
		const url = new URL(req.url ?? '/', 'http://sandbox');

		if (url.pathname.startsWith('/attachments/')) {
			const file = this.messageService.attachment(url.pathname.split('/')[3] ?? '');
			if (!file) res.writeHead(404).end();
			else res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.size }).end(file.data);
			return;
		}

		let segments = url.pathname.split('/').filter(Boolean);
		if (segments[0] !== 'api') {
			res.writeHead(404, { 'content-type': 'text/plain' }).end('Discord sandbox: the REST API lives under /api');
			return;
		}
		segments = segments.slice(1);
		if (/^v\d+$/.test(segments[0] ?? '')) segments = segments.slice(1);
		let decodeFailed = false;
		segments = segments.map((s) => {
			try {
				return decodeURIComponent(s);
			} catch {
				decodeFailed = true;
				return s;
			}
		});
		const path = `/${segments.join('/')}`;
		const match = decodeFailed ? null : this.router.match(method, segments);
		const route = match?.route ?? unmatchedRoute(method, segments);
		const query = Object.fromEntries(url.searchParams);
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(req.headers)) {
			if (value !== undefined) headers[name] = name === 'authorization' ? 'REDACTED' : Array.isArray(value) ? value.join(', ') : value;
		}

		let parsed: ParsedBody = { body: null, files: [] };
		let response: RestResponse;
		try {
			parsed = await readRequestBody(req);
			response = match ? await this.process(req, match, { method, path, query, parsed }) : { status: 404, body: { message: '404: Not Found', code: 0 } };
		} catch (error) {
			if (error instanceof BodyError) response = { status: error.status, body: error.payload };
			else {
				this.log(`sandbox: ${route} handler failed: ${(error as Error).stack ?? error}`);
				response = { status: 500, body: { message: '500: Internal Server Error', code: 0 } };
			}
		}
		if (response.status === 429) this.served429++;

		if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
		const json = response.status === 204 || response.body === undefined ? undefined : JSON.stringify(response.body);
		const responseHeaders: Record<string, string> = { ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...response.headers };
		try {
			res.writeHead(response.status, responseHeaders);
			res.end(json);
		} catch {
			// The socket went away (outage); the request is still recorded below.
		}

		const record: RecordedRequest = {
			at,
			method,
			path,
			query,
			route,
			status: response.status,
			body: parsed.body,
			files: parsed.files,
			headers,
			response: json === undefined ? null : response.body,
			responseHeaders,
			durationMs: performance.now() - started
		};
		this.requests.push(record);
		this.log(`${method} ${path} -> ${response.status}${parsed.files.length ? ` (${parsed.files.length} file(s))` : ''}`);
		for (const listener of [...this.requestListeners]) listener(record);
	}

	private async process(
		req: IncomingMessage,
		match: NonNullable<ReturnType<RestRouter['match']>>,
		r: { method: string; path: string; query: Record<string, string>; parsed: ParsedBody }
	): Promise<RestResponse> {
		const { route } = match;
		const forced429 = this.faults.take429(route);
		if (forced429) {
			return {
				status: 429,
				headers: this.limiterHeadersForForced(route, forced429.retryAfterMs, forced429.global),
				body: { message: 'You are being rate limited.', retry_after: round3(forced429.retryAfterMs / 1000), global: forced429.global }
			};
		}
		const forced5xx = this.faults.take5xx(route);
		if (forced5xx !== null) return { status: forced5xx, body: { message: `${forced5xx}: Sandbox injected failure`, code: 0 } };

		if (!match.definition.tokenRoute) {
			const auth = req.headers.authorization;
			const valid = this.options.token === undefined ? typeof auth === 'string' && /^Bot \S+/.test(auth) : auth === `Bot ${this.options.token}`;
			if (!valid) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
		}

		let limitHeaders: Record<string, string> = {};
		if (this.limiter) {
			const decision = this.limiter.check(route, match.major, match.definition.tokenRoute === true);
			if (decision.limited) {
				return {
					status: 429,
					headers: decision.headers,
					body: { message: 'You are being rate limited.', retry_after: round3(decision.limited.retryAfterMs / 1000), global: decision.limited.global }
				};
			}
			limitHeaders = decision.headers;
		}
		const response = await match.definition.handler({ method: r.method, path: r.path, params: match.params, query: r.query, body: r.parsed.body, files: r.parsed.files, route });
		return { ...response, headers: { ...limitHeaders, ...response.headers } };
	}

	private limiterHeadersForForced(route: string, retryAfterMs: number, global: boolean): Record<string, string> {
		const limiter = this.limiter ?? new RateLimiter(DEFAULT_RATE_LIMITS, this.now);
		return limiter.forcedHeaders(route, retryAfterMs, global);
	}

	// ---- internals ----------------------------------------------------------------------------

	private addGuild(seed: GuildSeed): GuildRecord {
		const role: Role = {
			id: this.ids.next(),
			name: this.botUser.username,
			color: 0,
			hoist: false,
			position: seed.roles.length,
			permissions: this.botPermissions.toString(),
			managed: true,
			mentionable: false,
			icon: null,
			unicode_emoji: null,
			flags: 0,
			tags: { bot_id: this.botUser.id }
		};
		const member = memberObject(this.botUser, [role.id], new Date(this.now()).toISOString());
		return this.state.addGuild(seed, { member, role });
	}

	private requireGuild(guildId: string): GuildRecord {
		const guild = this.state.guild(guildId);
		if (!guild) throw new Error(`Sandbox: unknown guild ${guildId}`);
		return guild;
	}

	/** The author of a simulated action; unknown ids become members on the fly (no GUILD_MEMBER_ADD). */
	private ensureMember(guild: GuildRecord, userId: string): MemberObject {
		const existing = guild.members.get(userId);
		if (existing) return existing;
		const n = ++this.userCounter;
		const user = this.state.users.get(userId) ?? { id: userId, username: `user_${n}`, global_name: null, discriminator: '0', avatar: null };
		return this.state.addMember(guild.id, memberObject(user, [], new Date(this.now()).toISOString()));
	}

	private createThread(guild: GuildRecord, id: string, parentId: string, ownerId: string) {
		const parent = this.state.channel(parentId);
		if (!parent || parent.guild_id !== guild.id) throw new Error(`Sandbox: unknown thread parent ${parentId} in guild ${guild.id}`);
		const thread: Channel = {
			id,
			type: ChannelType.PublicThread,
			name: `thread-${id.slice(-4)}`,
			parent_id: parentId,
			owner_id: ownerId,
			last_message_id: null,
			rate_limit_per_user: 0,
			flags: 0,
			message_count: 0,
			member_count: 1,
			total_message_sent: 0,
			thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date(this.now()).toISOString(), locked: false }
		};
		const record = this.state.addChannel(guild.id, thread);
		this.gateway.dispatch(guild.id, 'THREAD_CREATE', { ...record, newly_created: true });
		return record;
	}

	private reaction(t: 'MESSAGE_REACTION_ADD' | 'MESSAGE_REACTION_REMOVE', o: { guildId: string; channelId: string; messageId: string; userId: string; emoji?: string }): void {
		const guild = this.requireGuild(o.guildId);
		const member = this.ensureMember(guild, o.userId);
		const message = this.state.message(o.messageId);
		const d: Record<string, unknown> = {
			user_id: o.userId,
			channel_id: o.channelId,
			message_id: o.messageId,
			guild_id: guild.id,
			emoji: parseEmoji(o.emoji ?? '👍'),
			burst: false,
			type: 0
		};
		if (t === 'MESSAGE_REACTION_ADD') {
			d.member = member;
			d.burst_colors = [];
			if (message) d.message_author_id = message.authorId;
		}
		this.gateway.dispatch(guild.id, t, d);
	}

	/** Interaction options typed from the registered schema, with data.resolved for users/channels/roles. */
	private buildOptions(guild: GuildRecord, command: ApplicationCommand, o: InteractOptions, resolved: Record<string, Record<string, unknown>>): unknown[] {
		let schema: ApplicationCommandOption[] = command.options ?? [];
		const path: Array<{ type: number; name: string }> = [];
		if (o.subcommandGroup) {
			const group = schema.find((opt) => opt.type === 2 && opt.name === o.subcommandGroup);
			if (!group) throw new Error(`Sandbox: /${command.name} has no subcommand group ${o.subcommandGroup}`);
			path.push({ type: 2, name: group.name });
			schema = group.options ?? [];
		}
		if (o.subcommand) {
			const sub = schema.find((opt) => opt.type === 1 && opt.name === o.subcommand);
			if (!sub) throw new Error(`Sandbox: /${command.name}${o.subcommandGroup ? ` ${o.subcommandGroup}` : ''} has no subcommand ${o.subcommand}`);
			path.push({ type: 1, name: sub.name });
			schema = sub.options ?? [];
		}
		const leaves = Object.entries(o.options ?? {}).map(([name, value]) => {
			const def = schema.find((opt) => opt.name === name);
			if (!def) throw new Error(`Sandbox: option ${name} is not in the registered schema of /${[command.name, ...path.map((p) => p.name)].join(' ')}`);
			return { type: def.type, name, value: this.optionValue(guild, def.type, value, resolved) };
		});
		let options: unknown[] = leaves;
		for (const level of [...path].reverse()) options = [{ type: level.type, name: level.name, options }];
		return options;
	}

	private optionValue(guild: GuildRecord, type: number, value: string | number | boolean, resolved: Record<string, Record<string, unknown>>): string | number | boolean {
		switch (type) {
			case 3:
				return String(value);
			case 4:
				return Math.trunc(Number(value));
			case 10:
				return Number(value);
			case 5:
				return value === true || value === 'true';
			case 6:
			case 9: {
				const id = String(value);
				const member = guild.members.get(id);
				const user = this.state.users.get(id);
				if (user) {
					(resolved.users ??= {})[id] = user;
					if (member) (resolved.members ??= {})[id] = { ...partialMember(member), permissions: this.state.permissions(guild.id, id).toString() };
				} else if (guild.roles.has(id)) (resolved.roles ??= {})[id] = guild.roles.get(id);
				return id;
			}
			case 7: {
				const id = String(value);
				const channel = this.state.channel(id);
				if (channel) {
					(resolved.channels ??= {})[id] = {
						id,
						name: channel.name,
						type: channel.type,
						parent_id: channel.parent_id ?? null,
						permissions: this.state.permissions(guild.id, this.botUser.id, id).toString(),
						...(channel.thread_metadata ? { thread_metadata: channel.thread_metadata } : {})
					};
				}
				return id;
			}
			case 8: {
				const id = String(value);
				if (guild.roles.has(id)) (resolved.roles ??= {})[id] = guild.roles.get(id);
				return id;
			}
			default:
				return value;
		}
	}

	private waitOn<T>(listeners: Set<(value: T) => void>, predicate: (value: T) => boolean, timeoutMs: number, what: () => string): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const cleanup = () => {
				clearTimeout(timer);
				listeners.delete(listener);
				this.pendingWaits.delete(fail);
			};
			const listener = (value: T) => {
				if (!predicate(value)) return;
				cleanup();
				resolve(value);
			};
			const fail = (error: Error) => {
				cleanup();
				reject(error);
			};
			const timer = setTimeout(() => fail(new Error(`Sandbox: timed out after ${timeoutMs} ms waiting for ${what()}`)), timeoutMs);
			listeners.add(listener);
			this.pendingWaits.add(fail);
		});
	}

	private describeRecent(): string {
		return (
			this.requests
				.slice(-5)
				.map((r) => `${r.route} -> ${r.status}`)
				.join(', ') || 'none'
		);
	}
}

/** Does a callback / webhook request carry something a user would see (content, embeds or files)? */
export function carriesContent(r: RecordedRequest): boolean {
	if (r.status >= 300 || r.method === 'GET' || r.method === 'DELETE') return false;
	if (r.files.length > 0) return true;
	const body = (r.body ?? {}) as Record<string, unknown>;
	const payload = (r.route.endsWith('/callback') ? body.data : body) as Record<string, unknown> | undefined;
	if (!payload) return false;
	return (typeof payload.content === 'string' && payload.content.length > 0) || (Array.isArray(payload.embeds) && payload.embeds.length > 0);
}

function round3(value: number): number {
	return Math.round(value * 1000) / 1000;
}
