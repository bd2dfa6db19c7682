import type { Container } from '@sapphire/pieces';
import type { GatewayMessageReactionAddDispatchData, GatewayMessageReactionRemoveDispatchData } from 'discord.js';
import { channelContext } from '#lib/discord/channelContext.js';

/**
 * Counts one reaction added (+1) or removed (-1), read from the raw dispatch: it carries
 * `message_author_id` (for "received"), which discord.js drops, and it needs no cached message
 * (our message cache is off on purpose). Shared by listeners/capture/reactionAdd.ts and reactionRemove.ts.
 */
export function recordReactionDispatch({ client, stats }: Pick<Container, 'client' | 'stats'>, data: GatewayMessageReactionAddDispatchData | GatewayMessageReactionRemoveDispatchData, delta: 1 | -1) {
	if (!data.guild_id) return;
	const member = 'member' in data ? data.member : undefined;
	const authorId = 'message_author_id' in data ? (data.message_author_id as string | undefined) : undefined;
	const context = channelContext(data.channel_id, client.channels.cache.get(data.channel_id));
	// Spelled out, not spread (see listeners/capture/messageCreate.ts).
	stats.recordReaction({
		guildId: data.guild_id,
		channelId: context.channelId,
		parentChannelId: context.parentChannelId,
		categoryId: context.categoryId,
		messageId: data.message_id,
		userId: data.user_id,
		bot: member?.user?.bot ?? client.users.cache.get(data.user_id)?.bot ?? false,
		authorId: authorId ?? null,
		authorBot: authorId ? (client.users.cache.get(authorId)?.bot ?? false) : undefined,
		delta,
		at: Date.now()
	});
}
