import { container, Events, Listener } from '@sapphire/framework';
import type { GuildMember, PartialGuildMember } from 'discord.js';

/** Works for uncached members too (GuildMember partial): large guilds never have them all cached. */
export class CaptureMemberLeaveListener extends Listener<typeof Events.GuildMemberRemove> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.GuildMemberRemove, enabled: container.config.STATS_ENABLED });
	}

	public override run(member: GuildMember | PartialGuildMember) {
		this.container.stats.recordMemberLeave({ guildId: member.guild.id, userId: member.id, bot: member.user?.bot ?? false, at: Date.now() });
	}
}
