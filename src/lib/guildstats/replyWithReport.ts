import type { ChatInputCommandInteraction } from 'discord.js';
import type { ReportResult } from './GuildStatsReports.js';

/** Sends a report: the embed, plus the PNG it shows (attachment://) for the image variant. Never pings. */
export function replyWithReport(interaction: ChatInputCommandInteraction, result: ReportResult) {
	const payload = {
		embeds: [result.embed],
		files: result.image ? [{ attachment: result.image.png, name: result.image.name }] : [],
		allowedMentions: { parse: [] }
	};
	return interaction.deferred || interaction.replied ? interaction.editReply(payload) : interaction.reply(payload);
}
