import { container, Events, Listener } from '@sapphire/framework';
import type { Message } from 'discord.js';
import { channelContext } from '#lib/discord/channelContext.js';

/** Counts a message (never its content). Edits and deletes have no listener: they are not new messages. */
export class CaptureMessageListener extends Listener<typeof Events.MessageCreate> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.MessageCreate, enabled: container.config.STATS_ENABLED });
	}

	public override run(message: Message) {
		if (!message.guildId || message.system) return;
		this.container.stats.recordMessage({
			guildId: message.guildId,
			...channelContext(message.channelId, message.channel),
			userId: message.author.id,
			bot: message.author.bot,
			at: message.createdTimestamp
		});
	}
}
