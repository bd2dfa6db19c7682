import type { ChatInputCommandInteraction } from 'discord.js';

/** "guildstats server": the name stats, monitoring and metrics use for a slash command. */
export function commandName(interaction: ChatInputCommandInteraction): string {
	const group = interaction.options.getSubcommandGroup(false);
	const subcommand = interaction.options.getSubcommand(false);
	return [interaction.commandName, group, subcommand].filter(Boolean).join(' ');
}
