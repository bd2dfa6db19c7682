/**
 * Wire shapes the sandbox speaks, in Discord's own snake_case. Deliberately looser than
 * discord-api-types: tests build seeds by hand and the sandbox only needs the fields
 * discord.js reads.
 */

export interface User {
	id: string;
	username: string;
	global_name: string | null;
	discriminator: string;
	avatar: string | null;
	bot?: boolean;
	system?: boolean;
	public_flags?: number;
}

export interface BotUser extends User {
	bot: true;
}

export interface Role {
	id: string;
	name: string;
	color: number;
	hoist: boolean;
	position: number;
	/** Permission bit set as a decimal string, like Discord sends it. */
	permissions: string;
	managed: boolean;
	mentionable: boolean;
	icon: string | null;
	unicode_emoji: string | null;
	flags: number;
	tags?: { bot_id?: string };
}

export interface PermissionOverwrite {
	id: string;
	/** 0 role, 1 member */
	type: 0 | 1;
	allow: string;
	deny: string;
}

export const ChannelType = {
	GuildText: 0,
	GuildVoice: 2,
	GuildCategory: 4,
	GuildAnnouncement: 5,
	PublicThread: 11,
	PrivateThread: 12,
	GuildStageVoice: 13
} as const;

export interface Channel {
	id: string;
	type: number;
	guild_id?: string;
	name: string;
	position?: number;
	parent_id?: string | null;
	topic?: string | null;
	nsfw?: boolean;
	bitrate?: number;
	user_limit?: number;
	rate_limit_per_user?: number;
	rtc_region?: string | null;
	permission_overwrites?: PermissionOverwrite[];
	last_message_id?: string | null;
	flags?: number;
	/** Threads only. */
	owner_id?: string;
	thread_metadata?: { archived: boolean; auto_archive_duration: number; archive_timestamp: string; locked: boolean };
	message_count?: number;
	member_count?: number;
	total_message_sent?: number;
}

export interface MemberObject {
	user: User;
	roles: string[];
	joined_at: string;
	nick: string | null;
	avatar: string | null;
	deaf: boolean;
	mute: boolean;
	flags: number;
	pending: boolean;
	premium_since: string | null;
	communication_disabled_until: string | null;
}

export interface VoiceStateObject {
	user_id: string;
	channel_id: string | null;
	guild_id?: string;
	session_id: string;
	deaf: boolean;
	mute: boolean;
	self_deaf: boolean;
	self_mute: boolean;
	self_stream?: boolean;
	self_video: boolean;
	suppress: boolean;
	request_to_speak_timestamp: string | null;
}

/** A guild as tests and the demo describe it; the sandbox adds the bot's own member and role. */
export interface GuildSeed {
	id: string;
	name: string;
	owner_id: string;
	roles: Role[];
	/** Guild channels (text 0, voice 2, category 4 ...) with parent_id for channels in a category. */
	channels: Channel[];
	members: MemberObject[];
	voice_states: VoiceStateObject[];
	icon?: string | null;
	system_channel_id?: string | null;
	preferred_locale?: string;
	features?: string[];
}

export interface EmbedObject {
	title?: string;
	description?: string;
	url?: string;
	timestamp?: string;
	color?: number;
	type?: string;
	footer?: { text: string; icon_url?: string };
	author?: { name: string; url?: string; icon_url?: string };
	fields?: Array<{ name: string; value: string; inline?: boolean }>;
	image?: { url: string };
	thumbnail?: { url: string };
	[key: string]: unknown;
}

export interface Attachment {
	id: string;
	filename: string;
	size: number;
	url: string;
	proxy_url: string;
	content_type?: string;
	description?: string;
	ephemeral?: boolean;
}

export interface MessageObject {
	id: string;
	channel_id: string;
	guild_id?: string;
	author: User;
	member?: Omit<MemberObject, 'user'>;
	content: string;
	timestamp: string;
	edited_timestamp: string | null;
	tts: boolean;
	mention_everyone: boolean;
	mentions: User[];
	mention_roles: string[];
	attachments: Attachment[];
	embeds: EmbedObject[];
	components: unknown[];
	pinned: boolean;
	type: number;
	flags: number;
	nonce?: string | number;
	application_id?: string;
	webhook_id?: string;
	message_reference?: unknown;
	interaction_metadata?: unknown;
	position?: number;
}

/** One file of a multipart request, bytes included. */
export interface UploadedFile {
	/** Form field, e.g. files[0]. */
	field: string;
	name: string;
	size: number;
	contentType: string;
	data: Buffer;
}

export interface RecordedRequest {
	/** Epoch ms when the request arrived. */
	at: number;
	method: string;
	/** Decoded path below /api/v10 (e.g. /users/@me), without the query string. */
	path: string;
	query: Record<string, string>;
	/** Route template, e.g. 'POST /channels/:id/messages'. */
	route: string;
	status: number;
	/** Parsed JSON body, or parsed payload_json of a multipart body; null when there was none. */
	body: unknown;
	files: UploadedFile[];
	/** Request headers, lower-case names, Authorization redacted. */
	headers: Record<string, string>;
	/** What the sandbox answered (parsed JSON), null for 204. */
	response: unknown;
	/** Headers the sandbox answered with (X-RateLimit-*, Retry-After ...). */
	responseHeaders: Record<string, string>;
	durationMs: number;
}

export type MessageSource = 'user' | 'bot' | 'interaction' | 'followup';

/** A message as the sandbox keeps it; bot messages keep their uploaded bytes. */
export interface StoredMessage {
	id: string;
	channelId: string;
	guildId: string | null;
	authorId: string;
	content: string;
	embeds: EmbedObject[];
	files: UploadedFile[];
	attachments: Attachment[];
	flags: number;
	/** allowed_mentions exactly as the sender passed it (undefined if absent). */
	allowedMentions: unknown;
	source: MessageSource;
	interactionId?: string;
	createdAt: number;
	editedAt: number | null;
	deleted: boolean;
	raw: MessageObject;
}

export interface ApplicationCommandOption {
	type: number;
	name: string;
	description?: string;
	required?: boolean;
	options?: ApplicationCommandOption[];
	choices?: Array<{ name: string; value: string | number }>;
	[key: string]: unknown;
}

export interface ApplicationCommand {
	id: string;
	application_id: string;
	guild_id?: string;
	version: string;
	type: number;
	name: string;
	description?: string;
	options?: ApplicationCommandOption[];
	[key: string]: unknown;
}

/** A frame a client sent on the gateway (token redacted). */
export interface GatewayFrame {
	at: number;
	sessionId: string | null;
	shardId: number | null;
	op: number;
	d: unknown;
}
