import { Events, Listener, type Command } from '@sapphire/framework';
import type { ChatInputCommandInteraction } from 'discord.js';
import { commandName } from '#lib/commands/commandName.js';

/** Command tracking starts here (ids only); chatInputCommandFinish closes it with the outcome. */
export class ChatInputCommandRunListener extends Listener<typeof Events.ChatInputCommandRun> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ChatInputCommandRun });
	}

	public override run(interaction: ChatInputCommandInteraction, command: Command) {
		this.container.monitor.commands.begin({
			id: interaction.id,
			command: commandName(interaction),
			category: command.category ?? interaction.commandName,
			guildId: interaction.guildId,
			channelId: interaction.channelId,
			userId: interaction.user.id
		});
	}
}
