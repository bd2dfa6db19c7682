import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Message } from 'discord.js';
import { channelContext } from '#lib/discord/channelContext.js';

/** Counts a message (never its content). Edits and deletes have no listener: they are not new messages. */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.MessageCreate, enabled: container.config.STATS_ENABLED }))
export class CaptureMessageListener extends Listener<typeof Events.MessageCreate> {
	public override run(message: Message) {
		// The bot's own posts (report batches, /guildstats replies) are not community activity, and
		// counting them would make every report outdate its own cached image.
		if (!message.guildId || message.system || message.author.id === message.client.user.id) return;
		const context = channelContext(message.channelId, message.channel);
		// Arrival time, not the snowflake's: the same to the millisecond for live events, and cheaper.
		this.container.stats.recordMessage({
			guildId: message.guildId,
			channelId: context.channelId,
			parentChannelId: context.parentChannelId,
			categoryId: context.categoryId,
			userId: message.author.id,
			bot: message.author.bot,
			at: Date.now()
		});
	}
}
