import { container, Events, Listener } from '@sapphire/framework';
import type { Guild } from 'discord.js';

/**
 * A guild the bot is already in arrived with its GUILD_CREATE: at start-up (READY lists it), after a
 * re-identify, or when it is available again after an outage. Such a guild may have been left and
 * re-invited while the bot was away, so its pending data deletion is cancelled here too.
 */
export class CaptureGuildAvailableListener extends Listener<typeof Events.GuildAvailable> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.GuildAvailable, enabled: container.config.STATS_ENABLED });
	}

	public override async run(guild: Guild) {
		const { guildDeletions, logger } = this.container;
		if (await guildDeletions.present(guild.id).catch((error) => logger.warn(`Could not cancel data deletion for guild ${guild.id}:`, error)))
			logger.info(`Guild ${guild.id} is back (re-invited while Nexus was away): its scheduled data deletion is cancelled.`);
	}
}
