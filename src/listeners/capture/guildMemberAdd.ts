import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember } from 'discord.js';

@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.GuildMemberAdd, enabled: container.config.STATS_ENABLED }))
export class CaptureMemberJoinListener extends Listener<typeof Events.GuildMemberAdd> {
	public override run(member: GuildMember) {
		this.container.stats.recordMemberJoin({ guildId: member.guild.id, userId: member.id, bot: member.user.bot, at: Date.now() });
	}
}
