import type { ChannelRecord, GuildRecord, SandboxState } from './SandboxState.js';
import { ChannelType, type Channel, type MemberObject, type User, type VoiceStateObject } from './types.js';

/** A guild member with Discord's defaults for everything the sandbox does not model (no boost, timeout, avatar). */
export function memberObject(user: User, roles: string[], joinedAt: string, nick: string | null = null): MemberObject {
	return {
		user,
		roles,
		joined_at: joinedAt,
		nick,
		avatar: null,
		deaf: false,
		mute: false,
		flags: 0,
		pending: false,
		premium_since: null,
		communication_disabled_until: null
	};
}

/** Member without its user, as MESSAGE_CREATE and interactions embed it. */
export function partialMember(member: MemberObject): Omit<MemberObject, 'user'> {
	const { user: _user, ...rest } = member;
	return rest;
}

/** Channel as GUILD_CREATE lists it (no guild_id, Discord omits it there). */
export function channelInGuild(channel: ChannelRecord): Channel {
	const { guild_id: _guild, ...rest } = channel;
	return rest;
}

export function isThread(channel: Channel): boolean {
	return channel.type === ChannelType.PublicThread || channel.type === ChannelType.PrivateThread || channel.type === 10;
}

export interface GuildCreateOptions {
	/** Session has the presences intent: small guilds (<= largeThreshold members) then carry every member; otherwise only the bot and members in voice. */
	allMembers: boolean;
	/** Voice states need the GuildVoiceStates intent. */
	voiceStates: boolean;
	largeThreshold: number;
	botUserId: string;
}

/** GUILD_CREATE for one session, shaped like Discord's (guild fields + lazy-load extras). */
export function guildCreatePayload(state: SandboxState, guild: GuildRecord, o: GuildCreateOptions): Record<string, unknown> {
	const channels = state.guildChannels(guild.id);
	const voiceStates = o.voiceStates ? [...guild.voiceStates.values()].map((vs) => ({ ...vs, guild_id: undefined })) : [];
	const large = guild.members.size > o.largeThreshold;
	let members: MemberObject[];
	if (o.allMembers && !large) members = [...guild.members.values()];
	else {
		const ids = new Set<string>([o.botUserId, ...voiceStates.map((vs) => vs.user_id)]);
		members = [...ids].map((id) => guild.members.get(id)).filter((m): m is MemberObject => m !== undefined);
	}
	return {
		...guildObject(guild),
		joined_at: guild.joinedAt,
		large,
		unavailable: false,
		member_count: guild.members.size,
		voice_states: voiceStates,
		members,
		channels: channels.filter((c) => !isThread(c)).map(channelInGuild),
		threads: channels.filter(isThread),
		presences: [],
		stage_instances: [],
		guild_scheduled_events: [],
		soundboard_sounds: []
	};
}

/** The guild object of GET /guilds/:id. */
export function guildObject(guild: GuildRecord): Record<string, unknown> {
	return {
		id: guild.id,
		name: guild.name,
		icon: guild.icon,
		icon_hash: null,
		splash: null,
		discovery_splash: null,
		owner_id: guild.owner_id,
		afk_channel_id: null,
		afk_timeout: 300,
		widget_enabled: false,
		widget_channel_id: null,
		verification_level: 1,
		default_message_notifications: 1,
		explicit_content_filter: 2,
		roles: [...guild.roles.values()],
		emojis: [],
		stickers: [],
		features: guild.features,
		mfa_level: 0,
		application_id: null,
		system_channel_id: guild.system_channel_id,
		system_channel_flags: 0,
		rules_channel_id: null,
		max_presences: null,
		max_members: 500_000,
		vanity_url_code: null,
		description: null,
		banner: null,
		premium_tier: 0,
		premium_subscription_count: 0,
		preferred_locale: guild.preferred_locale,
		public_updates_channel_id: null,
		max_video_channel_users: 25,
		max_stage_video_channel_users: 50,
		nsfw_level: 0,
		premium_progress_bar_enabled: false,
		safety_alerts_channel_id: null,
		hub_type: null,
		incidents_data: null,
		latest_onboarding_question_id: null
	};
}

export function voiceStatePayload(guildId: string, state: VoiceStateObject, member: MemberObject | undefined): Record<string, unknown> {
	return { ...state, guild_id: guildId, member };
}
