import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, type Command } from '@sapphire/framework';
import type { ChatInputCommandInteraction } from 'discord.js';
import { commandName } from '#lib/commands/commandName.js';

/** Command tracking starts here (ids only); chatInputCommandFinish closes it with the outcome. */
@ApplyOptions<Listener.Options>({ event: Events.ChatInputCommandRun })
export class ChatInputCommandRunListener extends Listener<typeof Events.ChatInputCommandRun> {
	public override run(interaction: ChatInputCommandInteraction, command: Command) {
		this.container.monitor.commands.begin({
			id: interaction.id,
			command: commandName(interaction),
			// The command's folder under commands/ (Stats, Owner).
			category: command.category,
			guildId: interaction.guildId,
			channelId: interaction.channelId,
			userId: interaction.user.id
		});
	}
}
