import { container, Listener } from '@sapphire/framework';
import { GatewayDispatchEvents, type GatewayMessageReactionAddDispatchData, type GatewayMessageReactionRemoveDispatchData } from 'discord.js';
import { channelContext } from '#lib/discord/channelContext.js';


type ReactionData = GatewayMessageReactionAddDispatchData | GatewayMessageReactionRemoveDispatchData;

/**
 * Reactions are read from the raw dispatch: it carries `message_author_id` (for "received"), which
 * discord.js drops, and it needs no cached message (our message cache is off on purpose).
 */
function record(listener: Listener, data: ReactionData, delta: 1 | -1) {
	if (!data.guild_id) return;
	const { client, stats } = listener.container;
	const member = 'member' in data ? data.member : undefined;
	const authorId = 'message_author_id' in data ? (data.message_author_id as string | undefined) : undefined;
	stats.recordReaction({
		guildId: data.guild_id,
		...channelContext(data.channel_id, client.channels.cache.get(data.channel_id)),
		messageId: data.message_id,
		userId: data.user_id,
		bot: member?.user?.bot ?? client.users.cache.get(data.user_id)?.bot ?? false,
		authorId: authorId ?? null,
		authorBot: authorId ? (client.users.cache.get(authorId)?.bot ?? false) : undefined,
		delta,
		at: Date.now()
	});
}

export class CaptureReactionAddListener extends Listener {
	public constructor(context: Listener.LoaderContext) {
		super(context, { emitter: 'ws', event: GatewayDispatchEvents.MessageReactionAdd, name: 'captureReactionAdd', enabled: container.config.STATS_ENABLED });
	}

	public override run(data: GatewayMessageReactionAddDispatchData) {
		record(this, data, 1);
	}
}

export class CaptureReactionRemoveListener extends Listener {
	public constructor(context: Listener.LoaderContext) {
		super(context, { emitter: 'ws', event: GatewayDispatchEvents.MessageReactionRemove, name: 'captureReactionRemove', enabled: container.config.STATS_ENABLED });
	}

	public override run(data: GatewayMessageReactionRemoveDispatchData) {
		record(this, data, -1);
	}
}
