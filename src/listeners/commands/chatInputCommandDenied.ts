import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, type ChatInputCommandDeniedPayload, type UserError } from '@sapphire/framework';
import { commandName } from '#lib/commands/commandName.js';
import { replyEphemeral } from '#lib/discord/replies.js';

/** Command-level precondition failures (OwnerOnly, ManageGuild) answer ephemerally, never silently. */
@ApplyOptions<Listener.Options>({ event: Events.ChatInputCommandDenied })
export class ChatInputCommandDeniedListener extends Listener<typeof Events.ChatInputCommandDenied> {
	public override run(error: UserError, { interaction }: ChatInputCommandDeniedPayload) {
		// Denied before it ran: no run/finish events follow, so record the attempt here, as the user's mistake (not a failure).
		this.container.monitor.commands.record({ id: interaction.id, command: commandName(interaction), guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id, durationMs: 0, success: true, userMistake: error.identifier });
		return replyEphemeral(interaction, `⛔ ${error.message}`);
	}
}
