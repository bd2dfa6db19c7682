import { container, Events, Listener } from '@sapphire/framework';
import type { Guild } from 'discord.js';

/** A guild outage (GUILD_DELETE unavailable): its voice sessions wait for its next GUILD_CREATE (guildAvailable.ts). */
export class CaptureVoiceGuildUnavailableListener extends Listener<typeof Events.GuildUnavailable> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.GuildUnavailable, enabled: container.config.STATS_ENABLED });
	}

	public override run(guild: Guild) {
		this.container.stats.voice.suspendGuilds(new Set([guild.id]), Date.now());
	}
}
