import { MessageFlags, type ChatInputCommandInteraction, type InteractionEditReplyOptions } from 'discord.js';

/** Reply (or edit a deferred reply) ephemerally; never pings. */
export async function replyEphemeral(interaction: ChatInputCommandInteraction, content: string, extra: Omit<InteractionEditReplyOptions, 'content'> = {}) {
	const options = { ...extra, content, allowedMentions: { parse: [] } };
	if (interaction.deferred || interaction.replied) return interaction.editReply(options);
	return interaction.reply({ ...options, flags: MessageFlags.Ephemeral } as never);
}
