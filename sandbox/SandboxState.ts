import { channelPermissions, guildPermissions } from './permissions.js';
import type { ApplicationCommand, Channel, GuildSeed, MemberObject, Role, StoredMessage, User, VoiceStateObject } from './types.js';

export interface GuildRecord {
	id: string;
	name: string;
	owner_id: string;
	icon: string | null;
	system_channel_id: string | null;
	preferred_locale: string;
	features: string[];
	/** When the bot joined (ISO), sent as GUILD_CREATE.joined_at. */
	joinedAt: string;
	roles: Map<string, Role>;
	/** Ids of this guild's channels and threads (records live in SandboxState.channels). */
	channelIds: Set<string>;
	members: Map<string, MemberObject>;
	voiceStates: Map<string, VoiceStateObject>;
}

export type ChannelRecord = Channel & { guild_id: string };

export interface InteractionRecord {
	id: string;
	token: string;
	applicationId: string;
	guildId: string;
	channelId: string;
	userId: string;
	commandName: string;
	createdAt: number;
	/** Callback type of the first acknowledgement (4 reply, 5 defer, ...), null while unanswered. */
	ackType: number | null;
	ackAt: number | null;
	ephemeral: boolean;
	originalMessageId: string | null;
	followupIds: string[];
}

/** User messages kept per channel for GET and reactions; bot messages are all kept (tests inspect them). */
const USER_MESSAGES_PER_CHANNEL = 1000;

/**
 * Everything the sandbox knows: guilds with roles, channels, members and voice states, users,
 * messages, registered application commands and live interactions. Plain maps, mutated by the
 * REST handlers and the dispatch helpers, readable by tests.
 */
export class SandboxState {
	public readonly guilds = new Map<string, GuildRecord>();
	public readonly channels = new Map<string, ChannelRecord>();
	public readonly users = new Map<string, User>();
	/** Registered application commands by id; guild commands carry guild_id. */
	public readonly commands = new Map<string, ApplicationCommand>();
	public readonly interactions = new Map<string, InteractionRecord>();
	public readonly interactionsByToken = new Map<string, InteractionRecord>();
	private readonly messageIndex = new Map<string, StoredMessage>();
	private readonly channelMessages = new Map<string, { user: StoredMessage[]; bot: StoredMessage[] }>();
	private readonly denied = new Set<string>();

	public constructor(private readonly botUserId: string) {}

	// ---- guilds -------------------------------------------------------------------------------

	public guild(id: string): GuildRecord | undefined {
		return this.guilds.get(id);
	}

	public addGuild(seed: GuildSeed, bot: { member: MemberObject; role: Role }): GuildRecord {
		if (this.guilds.has(seed.id)) throw new Error(`Guild ${seed.id} already exists in the sandbox`);
		if (!seed.roles.some((role) => role.id === seed.id)) throw new Error(`Guild ${seed.id} needs an @everyone role whose id equals the guild id`);
		const record: GuildRecord = {
			id: seed.id,
			name: seed.name,
			owner_id: seed.owner_id,
			icon: seed.icon ?? null,
			system_channel_id: seed.system_channel_id ?? null,
			preferred_locale: seed.preferred_locale ?? 'en-US',
			features: seed.features ?? [],
			joinedAt: bot.member.joined_at,
			roles: new Map(seed.roles.map((role) => [role.id, structuredClone(role)])),
			channelIds: new Set(),
			members: new Map(),
			voiceStates: new Map()
		};
		record.roles.set(bot.role.id, bot.role);
		this.guilds.set(record.id, record);
		for (const channel of seed.channels) this.addChannel(record.id, structuredClone(channel));
		for (const member of [...seed.members, bot.member]) this.addMember(record.id, structuredClone(member));
		for (const state of seed.voice_states) this.setVoiceState(record.id, structuredClone(state));
		return record;
	}

	public removeGuild(id: string): GuildRecord | undefined {
		const guild = this.guilds.get(id);
		if (!guild) return undefined;
		for (const channelId of guild.channelIds) {
			this.channels.delete(channelId);
			this.channelMessages.delete(channelId);
		}
		this.guilds.delete(id);
		return guild;
	}

	// ---- channels -----------------------------------------------------------------------------

	public channel(id: string): ChannelRecord | undefined {
		return this.channels.get(id);
	}

	public addChannel(guildId: string, channel: Channel): ChannelRecord {
		const guild = this.requireGuild(guildId);
		const record = { ...channel, guild_id: guildId } as ChannelRecord;
		this.channels.set(record.id, record);
		guild.channelIds.add(record.id);
		return record;
	}

	public removeChannel(id: string): ChannelRecord | undefined {
		const channel = this.channels.get(id);
		if (!channel) return undefined;
		this.channels.delete(id);
		this.guilds.get(channel.guild_id)?.channelIds.delete(id);
		return channel;
	}

	public guildChannels(guildId: string): ChannelRecord[] {
		const guild = this.guilds.get(guildId);
		if (!guild) return [];
		return [...guild.channelIds].map((id) => this.channels.get(id)).filter((c): c is ChannelRecord => c !== undefined);
	}

	/** Makes REST calls on this channel answer 403 {code: 50013, message: 'Missing Permissions'}. */
	public denyChannel(channelId: string): void {
		this.denied.add(channelId);
	}

	public allowChannel(channelId: string): void {
		this.denied.delete(channelId);
	}

	public isDenied(channelId: string): boolean {
		return this.denied.has(channelId);
	}

	// ---- members and users --------------------------------------------------------------------

	public member(guildId: string, userId: string): MemberObject | undefined {
		return this.guilds.get(guildId)?.members.get(userId);
	}

	public addMember(guildId: string, member: MemberObject): MemberObject {
		const guild = this.requireGuild(guildId);
		// One User object per id, shared by every guild the user is in.
		const user = this.users.get(member.user.id) ?? member.user;
		if (user !== member.user) Object.assign(user, member.user);
		this.users.set(user.id, user);
		const stored = { ...member, user };
		guild.members.set(user.id, stored);
		return stored;
	}

	public removeMember(guildId: string, userId: string): MemberObject | undefined {
		const guild = this.guilds.get(guildId);
		const member = guild?.members.get(userId);
		if (!guild || !member) return undefined;
		guild.members.delete(userId);
		guild.voiceStates.delete(userId);
		return member;
	}

	public setVoiceState(guildId: string, state: VoiceStateObject): void {
		const guild = this.requireGuild(guildId);
		if (state.channel_id === null) guild.voiceStates.delete(state.user_id);
		else guild.voiceStates.set(state.user_id, { ...state, guild_id: undefined });
	}

	/** Guild permissions of a member, or channel permissions when channelId is given. */
	public permissions(guildId: string, userId: string, channelId?: string): bigint {
		const guild = this.requireGuild(guildId);
		const member = guild.members.get(userId);
		const memberRoles = member?.roles ?? [];
		const base = guildPermissions({ guildId, ownerId: guild.owner_id, userId, memberRoles, roles: guild.roles });
		const channel = channelId ? this.channels.get(channelId) : undefined;
		return channel ? channelPermissions(base, { guildId, userId, memberRoles, channel }) : base;
	}

	// ---- messages -----------------------------------------------------------------------------

	public message(id: string): StoredMessage | undefined {
		return this.messageIndex.get(id);
	}

	public addMessage(message: StoredMessage): void {
		let log = this.channelMessages.get(message.channelId);
		if (!log) {
			log = { user: [], bot: [] };
			this.channelMessages.set(message.channelId, log);
		}
		this.messageIndex.set(message.id, message);
		if (message.authorId === this.botUserId) {
			log.bot.push(message);
			return;
		}
		log.user.push(message);
		// Amortised trim: drop the oldest half when the log doubles past the cap.
		if (log.user.length > USER_MESSAGES_PER_CHANNEL * 2) {
			for (const old of log.user.splice(0, log.user.length - USER_MESSAGES_PER_CHANNEL)) this.messageIndex.delete(old.id);
		}
	}

	/** Messages the bot posted in a channel (channel sends, interaction replies and followups), oldest first. */
	public botMessages(channelId: string): StoredMessage[] {
		return (this.channelMessages.get(channelId)?.bot ?? []).filter((m) => !m.deleted);
	}

	/** Every kept message of a channel, oldest first. */
	public allMessages(channelId: string): StoredMessage[] {
		const log = this.channelMessages.get(channelId);
		if (!log) return [];
		return [...log.user, ...log.bot].filter((m) => !m.deleted).sort((a, b) => compareIds(a.id, b.id));
	}

	// ---- application commands -----------------------------------------------------------------

	public commandsIn(scope: { guildId?: string }): ApplicationCommand[] {
		return [...this.commands.values()].filter((cmd) => (scope.guildId ? cmd.guild_id === scope.guildId : cmd.guild_id === undefined));
	}

	/** The command an interaction in `guildId` would run: a guild command shadows a global one of the same name. */
	public findCommand(name: string, guildId?: string): ApplicationCommand | undefined {
		const all = [...this.commands.values()].filter((cmd) => cmd.name === name && (cmd.type ?? 1) === 1);
		return all.find((cmd) => guildId !== undefined && cmd.guild_id === guildId) ?? all.find((cmd) => cmd.guild_id === undefined);
	}

	// ---- interactions -------------------------------------------------------------------------

	public addInteraction(record: InteractionRecord): void {
		this.interactions.set(record.id, record);
		this.interactionsByToken.set(record.token, record);
	}

	private requireGuild(id: string): GuildRecord {
		const guild = this.guilds.get(id);
		if (!guild) throw new Error(`Unknown guild ${id} in the sandbox`);
		return guild;
	}
}

export function compareIds(a: string, b: string): number {
	return a.length === b.length ? (a < b ? -1 : a > b ? 1 : 0) : a.length - b.length;
}
