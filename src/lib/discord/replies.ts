import { MessageFlags, type ChatInputCommandInteraction, type InteractionEditReplyOptions } from 'discord.js';

/**
 * Reply (or finish a deferred reply) ephemerally; never pings. After a public defer (a command that
 * renders an image), editing would show the text to everyone: the "thinking…" message is deleted
 * and the text goes out as an ephemeral followup instead.
 */
export async function replyEphemeral(interaction: ChatInputCommandInteraction, content: string, extra: Omit<InteractionEditReplyOptions, 'content'> = {}) {
	const options = { ...extra, content, allowedMentions: { parse: [] } };
	if (interaction.deferred && !interaction.replied && !interaction.ephemeral) {
		await interaction.deleteReply().catch(() => undefined);
		return interaction.followUp({ ...options, flags: MessageFlags.Ephemeral } as never);
	}
	if (interaction.deferred || interaction.replied) return interaction.editReply(options);
	return interaction.reply({ ...options, flags: MessageFlags.Ephemeral } as never);
}
