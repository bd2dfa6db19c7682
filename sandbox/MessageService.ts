import type { GatewayServer } from './GatewayServer.js';
import { partialMember } from './payloads.js';
import type { ChannelRecord, InteractionRecord, SandboxState } from './SandboxState.js';
import type { SnowflakeGenerator } from './snowflake.js';
import type { Attachment, BotUser, EmbedObject, MessageObject, MessageSource, StoredMessage, UploadedFile, User } from './types.js';

const FLAG_EPHEMERAL = 1 << 6;
const FLAG_LOADING = 1 << 7;
const MESSAGE_TYPE_DEFAULT = 0;
const MESSAGE_TYPE_REPLY = 19;
const MESSAGE_TYPE_CHAT_INPUT_COMMAND = 20;

export interface MessageServiceDeps {
	state: SandboxState;
	ids: SnowflakeGenerator;
	botUser: BotUser;
	applicationId: string;
	gateway: GatewayServer;
	/** http://127.0.0.1:PORT, for attachment URLs. */
	baseUrl: () => string;
	now: () => number;
}

export interface BotMessageInput {
	channel: ChannelRecord;
	body: Record<string, unknown>;
	files: UploadedFile[];
	source: Exclude<MessageSource, 'user'>;
	interaction?: InteractionRecord;
	/** Extra flags (ephemeral, loading) on top of body.flags. */
	flags?: number;
}

/**
 * Creates, edits and deletes messages in the sandbox state and tells the gateway, so the bot's own
 * posts come back as MESSAGE_CREATE like on Discord (ephemeral ones do not).
 */
export class MessageService {
	private readonly attachments = new Map<string, UploadedFile>();

	public constructor(private readonly deps: MessageServiceDeps) {}

	/** A message from a (simulated) user; stored and returned, the caller dispatches it. */
	public userMessage(o: { channel: ChannelRecord; author: User; content: string }): StoredMessage {
		const { state } = this.deps;
		const id = this.deps.ids.next();
		const now = this.deps.now();
		const member = state.member(o.channel.guild_id, o.author.id);
		const raw: MessageObject = {
			...this.baseMessage(id, o.channel, o.author, now),
			member: member ? partialMember(member) : undefined,
			content: o.content,
			mentions: this.mentionedUsers(o.content),
			mention_roles: mentionedRoles(o.content),
			mention_everyone: /@(everyone|here)/.test(o.content)
		};
		const stored: StoredMessage = {
			id,
			channelId: o.channel.id,
			guildId: o.channel.guild_id,
			authorId: o.author.id,
			content: o.content,
			embeds: [],
			files: [],
			attachments: [],
			flags: 0,
			allowedMentions: undefined,
			source: 'user',
			createdAt: now,
			editedAt: null,
			deleted: false,
			raw
		};
		state.addMessage(stored);
		o.channel.last_message_id = id;
		return stored;
	}

	/** A message the bot posted (channel send, interaction reply, followup); dispatched unless ephemeral. */
	public botMessage(input: BotMessageInput): StoredMessage {
		const { state, botUser } = this.deps;
		const id = this.deps.ids.next();
		const now = this.deps.now();
		const { channel, body, interaction } = input;
		const flags = (Number(body.flags) || 0) | (input.flags ?? 0);
		const { attachments, files } = this.buildAttachments(channel.id, body, input.files, [], []);
		const content = typeof body.content === 'string' ? body.content : '';
		const embeds = normalizeEmbeds(body.embeds);
		const member = state.member(channel.guild_id, botUser.id);
		const raw: MessageObject = {
			...this.baseMessage(id, channel, botUser, now),
			member: member ? partialMember(member) : undefined,
			content,
			embeds,
			attachments,
			components: Array.isArray(body.components) ? body.components : [],
			flags,
			tts: body.tts === true,
			mentions: this.mentionedUsers(content),
			mention_roles: mentionedRoles(content),
			type: interaction ? MESSAGE_TYPE_CHAT_INPUT_COMMAND : body.message_reference ? MESSAGE_TYPE_REPLY : MESSAGE_TYPE_DEFAULT
		};
		if (body.nonce !== undefined) raw.nonce = body.nonce as string;
		if (body.message_reference !== undefined) raw.message_reference = body.message_reference;
		if (interaction) {
			raw.application_id = this.deps.applicationId;
			raw.webhook_id = this.deps.applicationId;
			raw.interaction_metadata = {
				id: interaction.id,
				type: 2,
				user: state.users.get(interaction.userId),
				authorizing_integration_owners: { '0': interaction.guildId },
				name: interaction.commandName,
				...(interaction.originalMessageId ? { original_response_message_id: interaction.originalMessageId } : {})
			};
		}
		const stored: StoredMessage = {
			id,
			channelId: channel.id,
			guildId: channel.guild_id,
			authorId: botUser.id,
			content,
			embeds,
			files,
			attachments,
			flags,
			allowedMentions: body.allowed_mentions,
			source: input.source,
			interactionId: interaction?.id,
			createdAt: now,
			editedAt: null,
			deleted: false,
			raw
		};
		state.addMessage(stored);
		if (!(flags & FLAG_EPHEMERAL)) {
			channel.last_message_id = id;
			this.deps.gateway.dispatch(channel.guild_id, 'MESSAGE_CREATE', raw);
		}
		return stored;
	}

	/** Applies an edit (content, embeds, attachments, flags); dispatches MESSAGE_UPDATE unless ephemeral. */
	public edit(stored: StoredMessage, body: Record<string, unknown>, files: UploadedFile[]): StoredMessage {
		const wasLoading = (stored.flags & FLAG_LOADING) !== 0;
		if ('content' in body) stored.content = typeof body.content === 'string' ? body.content : '';
		if ('embeds' in body) stored.embeds = normalizeEmbeds(body.embeds);
		if ('allowed_mentions' in body) stored.allowedMentions = body.allowed_mentions;
		const built = this.buildAttachments(stored.channelId, body, files, stored.attachments, stored.files);
		stored.attachments = built.attachments;
		stored.files = built.files;
		stored.flags &= ~FLAG_LOADING;
		// Completing a deferred reply is not an "edit" in Discord's eyes.
		stored.editedAt = wasLoading ? null : this.deps.now();
		Object.assign(stored.raw, {
			content: stored.content,
			embeds: stored.embeds,
			attachments: stored.attachments,
			flags: stored.flags,
			mentions: this.mentionedUsers(stored.content),
			mention_roles: mentionedRoles(stored.content),
			edited_timestamp: stored.editedAt === null ? null : new Date(stored.editedAt).toISOString()
		});
		if ('components' in body) stored.raw.components = Array.isArray(body.components) ? body.components : [];
		if (!(stored.flags & FLAG_EPHEMERAL) && stored.guildId) this.deps.gateway.dispatch(stored.guildId, 'MESSAGE_UPDATE', stored.raw);
		return stored;
	}

	public delete(stored: StoredMessage): void {
		stored.deleted = true;
		if (!(stored.flags & FLAG_EPHEMERAL) && stored.guildId) {
			this.deps.gateway.dispatch(stored.guildId, 'MESSAGE_DELETE', { id: stored.id, channel_id: stored.channelId, guild_id: stored.guildId });
		}
	}

	/** Bytes of an uploaded attachment, for GET /attachments/... */
	public attachment(id: string): UploadedFile | undefined {
		return this.attachments.get(id);
	}

	private baseMessage(id: string, channel: ChannelRecord, author: User, now: number): MessageObject {
		return {
			id,
			channel_id: channel.id,
			guild_id: channel.guild_id,
			author,
			content: '',
			timestamp: new Date(now).toISOString(),
			edited_timestamp: null,
			tts: false,
			mention_everyone: false,
			mentions: [],
			mention_roles: [],
			attachments: [],
			embeds: [],
			components: [],
			pinned: false,
			type: MESSAGE_TYPE_DEFAULT,
			flags: 0
		};
	}

	/**
	 * New uploads are referenced in body.attachments by their index (`id: 0` for files[0]); existing
	 * ones by their snowflake. Without body.attachments an edit keeps the old attachments.
	 */
	private buildAttachments(channelId: string, body: Record<string, unknown>, uploads: UploadedFile[], existing: Attachment[], existingFiles: UploadedFile[]) {
		const described = Array.isArray(body.attachments) ? (body.attachments as Array<Record<string, unknown>>) : undefined;
		const attachments: Attachment[] = [];
		const files: UploadedFile[] = [];
		existing.forEach((attachment, i) => {
			if (described && !described.some((d) => String(d?.id) === attachment.id)) return;
			attachments.push(attachment);
			files.push(existingFiles[i]);
		});
		uploads.forEach((file, index) => {
			const fieldIndex = /\[(\d+)\]/.exec(file.field)?.[1] ?? String(index);
			const meta = described?.find((d) => String(d?.id) === fieldIndex);
			const id = this.deps.ids.next();
			const filename = typeof meta?.filename === 'string' ? meta.filename : file.name;
			const url = `${this.deps.baseUrl()}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
			const attachment: Attachment = { id, filename, size: file.size, url, proxy_url: url, content_type: file.contentType };
			if (typeof meta?.description === 'string') attachment.description = meta.description;
			attachments.push(attachment);
			files.push(file);
			this.attachments.set(id, file);
		});
		return { attachments, files };
	}

	private mentionedUsers(content: string): User[] {
		const users: User[] = [];
		for (const match of content.matchAll(/<@!?(\d{15,21})>/g)) {
			const user = this.deps.state.users.get(match[1]);
			if (user && !users.includes(user)) users.push(user);
		}
		return users;
	}
}

function mentionedRoles(content: string): string[] {
	return [...new Set([...content.matchAll(/<@&(\d{15,21})>/g)].map((m) => m[1]))];
}

function normalizeEmbeds(value: unknown): EmbedObject[] {
	if (!Array.isArray(value)) return [];
	return value.filter((e) => e && typeof e === 'object').map((e) => ({ type: 'rich', ...(e as EmbedObject) }));
}

export const MessageFlags = { Ephemeral: FLAG_EPHEMERAL, Loading: FLAG_LOADING } as const;
