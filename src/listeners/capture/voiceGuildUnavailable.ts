import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Guild } from 'discord.js';

/** A guild outage (GUILD_DELETE unavailable): its voice sessions wait for its next GUILD_CREATE (guildAvailable.ts). */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.GuildUnavailable, enabled: container.config.STATS_ENABLED }))
export class CaptureVoiceGuildUnavailableListener extends Listener<typeof Events.GuildUnavailable> {
	public override run(guild: Guild) {
		this.container.stats.voice.suspendGuilds(new Set([guild.id]), Date.now());
	}
}
