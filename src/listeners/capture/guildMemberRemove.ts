import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember, PartialGuildMember } from 'discord.js';

/** Works for uncached members too (GuildMember partial): large guilds never have them all cached. */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.GuildMemberRemove, enabled: container.config.STATS_ENABLED }))
export class CaptureMemberLeaveListener extends Listener<typeof Events.GuildMemberRemove> {
	public override run(member: GuildMember | PartialGuildMember) {
		this.container.stats.recordMemberLeave({ guildId: member.guild.id, userId: member.id, bot: member.user?.bot ?? false, at: Date.now() });
	}
}
