import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Guild } from 'discord.js';
import { voiceStatesOf } from '#lib/discord/voiceSnapshot.js';

/**
 * A guild the bot is already in arrived with its GUILD_CREATE: at start-up (READY lists it), after a
 * re-identify, or when it is available again after an outage. Such a guild may have been left and
 * re-invited while the bot was away, so its pending data deletion is cancelled here too. Its voice
 * states are the only truth about who is in voice now (events missed during a re-identify are
 * never delivered): open voice sessions are reconciled with them.
 */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.GuildAvailable, enabled: container.config.STATS_ENABLED }))
export class CaptureGuildAvailableListener extends Listener<typeof Events.GuildAvailable> {
	public override async run(guild: Guild) {
		const { guildDeletions, logger, stats } = this.container;
		stats.reconcileVoiceStates(guild.id, voiceStatesOf(guild));
		if (await guildDeletions.present(guild.id).catch((error) => logger.warn(`Could not cancel data deletion for guild ${guild.id}:`, error)))
			logger.info(`Guild ${guild.id} is back (re-invited while Nexus was away): its scheduled data deletion is cancelled.`);
	}
}
