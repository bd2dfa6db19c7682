import { Permission } from '../permissions.js';
import { isThread } from '../payloads.js';
import { compareIds, type ChannelRecord } from '../SandboxState.js';
import { discordError, type RestRequest, type RestResponse, type RestRouter } from '../RestRouter.js';
import type { SandboxContext } from '../SandboxContext.js';
import { ChannelType, type StoredMessage } from '../types.js';
import { validateMessagePayload } from '../validateMessagePayload.js';
import { parseEmoji } from '../parseEmoji.js';

const TEXT_CAPABLE = new Set<number>([ChannelType.GuildText, ChannelType.GuildVoice, ChannelType.GuildAnnouncement, ChannelType.PublicThread, ChannelType.PrivateThread, 10, ChannelType.GuildStageVoice]);

/** Channels and their messages: fetch, send (JSON or multipart), list, edit, delete, typing, bot reactions. */
export function registerChannelRoutes(router: RestRouter, ctx: SandboxContext): void {
	const resolveChannel = (id: string): ChannelRecord | RestResponse => {
		const channel = ctx.state.channel(id);
		if (!channel) return discordError(404, 10003, 'Unknown Channel');
		if (ctx.state.isDenied(id)) return discordError(403, 50013, 'Missing Permissions');
		return channel;
	};
	const isResponse = (value: unknown): value is RestResponse => typeof value === 'object' && value !== null && 'status' in value && !('id' in value);
	const resolveMessage = (req: RestRequest): { channel: ChannelRecord; message: StoredMessage } | RestResponse => {
		const channel = resolveChannel(req.params[0]);
		if (isResponse(channel)) return channel;
		const message = ctx.state.message(req.params[1]);
		if (!message || message.deleted || message.channelId !== channel.id) return discordError(404, 10008, 'Unknown Message');
		return { channel, message };
	};
	const botCan = (channel: ChannelRecord, bits: bigint) => {
		const perms = ctx.state.permissions(channel.guild_id, ctx.botUser.id, channel.id);
		return (perms & bits) === bits;
	};

	router
		.add({
			method: 'GET',
			pattern: '/channels/:id',
			handler: (req) => {
				const channel = resolveChannel(req.params[0]);
				return isResponse(channel) ? channel : { status: 200, body: channel };
			}
		})
		.add({
			method: 'PATCH',
			pattern: '/channels/:id',
			handler: (req) => {
				const channel = resolveChannel(req.params[0]);
				if (isResponse(channel)) return channel;
				if (!botCan(channel, Permission.ViewChannel)) return discordError(403, 50001, 'Missing Access');
				if (!botCan(channel, Permission.ManageChannels)) return discordError(403, 50013, 'Missing Permissions');
				const body = (req.body ?? {}) as Record<string, unknown>;
				if ('name' in body) {
					const name = body.name;
					if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
						return {
							status: 400,
							body: { code: 50035, message: 'Invalid Form Body', errors: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] } } }
						};
					}
					// Every rename counts, like Discord's 2 per 10 minutes per channel (separate from the route bucket).
					const waitMs = ctx.channelRenames?.take(channel.id) ?? null;
					if (waitMs !== null) {
						return {
							status: 429,
							headers: { 'Retry-After': (waitMs / 1000).toFixed(3), 'X-RateLimit-Scope': 'shared' },
							body: { message: 'You are being rate limited.', retry_after: Math.round(waitMs) / 1000, global: false }
						};
					}
					channel.name = name;
				}
				ctx.gateway.dispatch(channel.guild_id, 'CHANNEL_UPDATE', channel);
				return { status: 200, body: channel };
			}
		})
		.add({
			method: 'POST',
			pattern: '/channels/:id/messages',
			handler: (req) => {
				const channel = resolveChannel(req.params[0]);
				if (isResponse(channel)) return channel;
				if (!TEXT_CAPABLE.has(channel.type)) return discordError(400, 50008, 'Cannot send messages in a non-text channel');
				if (!botCan(channel, Permission.ViewChannel)) return discordError(403, 50001, 'Missing Access');
				if (!botCan(channel, isThread(channel) ? Permission.SendMessagesInThreads : Permission.SendMessages)) return discordError(403, 50013, 'Missing Permissions');
				if (ctx.validate) {
					const failure = validateMessagePayload(req.body, req.files);
					if (failure) return failure;
				}
				const message = ctx.messages.botMessage({ channel, body: (req.body ?? {}) as Record<string, unknown>, files: req.files, source: 'bot' });
				return { status: 200, body: message.raw };
			}
		})
		.add({
			method: 'GET',
			pattern: '/channels/:id/messages',
			handler: (req) => {
				const channel = resolveChannel(req.params[0]);
				if (isResponse(channel)) return channel;
				const limit = Math.min(100, Math.max(1, Number(req.query.limit ?? 50) || 50));
				let list = ctx.state.allMessages(channel.id);
				if (req.query.before) list = list.filter((m) => compareIds(m.id, req.query.before) < 0);
				if (req.query.after) list = list.filter((m) => compareIds(m.id, req.query.after) > 0).slice(0, limit);
				return { status: 200, body: list.slice(-limit).reverse().map((m) => m.raw) };
			}
		})
		.add({
			method: 'GET',
			pattern: '/channels/:id/messages/:id',
			handler: (req) => {
				const found = resolveMessage(req);
				return isResponse(found) ? found : { status: 200, body: found.message.raw };
			}
		})
		.add({
			method: 'PATCH',
			pattern: '/channels/:id/messages/:id',
			handler: (req) => {
				const found = resolveMessage(req);
				if (isResponse(found)) return found;
				if (found.message.authorId !== ctx.botUser.id) return discordError(403, 50005, 'Cannot edit a message authored by another user');
				if (ctx.validate) {
					const failure = validateMessagePayload(req.body, req.files, { partial: true });
					if (failure) return failure;
				}
				return { status: 200, body: ctx.messages.edit(found.message, (req.body ?? {}) as Record<string, unknown>, req.files).raw };
			}
		})
		.add({
			method: 'DELETE',
			pattern: '/channels/:id/messages/:id',
			handler: (req) => {
				const found = resolveMessage(req);
				if (isResponse(found)) return found;
				if (found.message.authorId !== ctx.botUser.id && !botCan(found.channel, Permission.ManageMessages)) return discordError(403, 50013, 'Missing Permissions');
				ctx.messages.delete(found.message);
				return { status: 204 };
			}
		})
		.add({
			method: 'POST',
			pattern: '/channels/:id/typing',
			handler: (req) => {
				const channel = resolveChannel(req.params[0]);
				return isResponse(channel) ? channel : { status: 204 };
			}
		});

	for (const method of ['PUT', 'DELETE'] as const) {
		router.add({
			method,
			pattern: '/channels/:id/messages/:id/reactions/:emoji/@me',
			handler: (req) => {
				const found = resolveMessage(req);
				if (isResponse(found)) return found;
				const emoji = parseEmoji(req.params[2]);
				ctx.gateway.dispatch(found.channel.guild_id, method === 'PUT' ? 'MESSAGE_REACTION_ADD' : 'MESSAGE_REACTION_REMOVE', {
					user_id: ctx.botUser.id,
					channel_id: found.channel.id,
					message_id: found.message.id,
					guild_id: found.channel.guild_id,
					emoji,
					burst: false,
					type: 0,
					...(method === 'PUT' ? { member: ctx.state.member(found.channel.guild_id, ctx.botUser.id), burst_colors: [], message_author_id: found.message.authorId } : {})
				});
				return { status: 204 };
			}
		});
	}
}
