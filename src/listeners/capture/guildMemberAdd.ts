import { container, Events, Listener } from '@sapphire/framework';
import type { GuildMember } from 'discord.js';

export class CaptureMemberJoinListener extends Listener<typeof Events.GuildMemberAdd> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.GuildMemberAdd, enabled: container.config.STATS_ENABLED });
	}

	public override run(member: GuildMember) {
		this.container.stats.recordMemberJoin({ guildId: member.guild.id, userId: member.id, bot: member.user.bot, at: Date.now() });
	}
}
