import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Guild } from 'discord.js';
import { voiceStatesOf } from '#lib/discord/voiceSnapshot.js';

/** The bot joined a guild (not fired for guilds already there at startup or after a re-identify: see guildAvailable.ts). */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.GuildCreate, enabled: container.config.STATS_ENABLED }))
export class CaptureGuildJoinListener extends Listener<typeof Events.GuildCreate> {
	public override async run(guild: Guild) {
		const { stats, logger, guildDeletions } = this.container;
		stats.recordGuildJoin(guild.id);
		stats.seedVoiceStates(guild.id, voiceStatesOf(guild));
		// A rejoin within the grace period keeps the guild's history.
		await guildDeletions.present(guild.id).catch((error) => logger.warn(`Could not cancel data deletion for guild ${guild.id}:`, error));
	}
}
