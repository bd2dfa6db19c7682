import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Guild } from 'discord.js';

/** The bot left (or was removed from) a guild: end its voice sessions, schedule its data for deletion. */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.GuildDelete, enabled: container.config.STATS_ENABLED }))
export class CaptureGuildLeaveListener extends Listener<typeof Events.GuildDelete> {
	public override async run(guild: Guild) {
		// An outage makes a guild unavailable without the bot leaving it.
		if (!guild.available) return;
		const { stats, config, logger, guildDeletions } = this.container;
		stats.recordGuildLeave(guild.id);
		const at = Date.now() + config.GUILD_DATA_GRACE_DAYS * 86_400_000;
		await guildDeletions.schedule(guild.id, at).catch((error) => logger.warn(`Could not schedule data deletion for guild ${guild.id}:`, error));
	}
}
