import { ApplyOptions } from '@sapphire/decorators';
import { Listener, type UserError } from '@sapphire/framework';
import { SubcommandPluginEvents, type ChatInputSubcommandDeniedPayload } from '@sapphire/plugin-subcommands';
import { replyEphemeral } from '#lib/discord/replies.js';

/** Subcommand-level precondition failures (e.g. `/nexus status` is owner-only) answer ephemerally. */
@ApplyOptions<Listener.Options>({ event: SubcommandPluginEvents.ChatInputSubcommandDenied })
export class ChatInputSubcommandDeniedListener extends Listener<typeof SubcommandPluginEvents.ChatInputSubcommandDenied> {
	public override run(error: UserError, { interaction }: ChatInputSubcommandDeniedPayload) {
		// A denial is the user's mistake, counted under the precondition's identifier (not a failure, never an error post).
		this.container.commandOutcomes.markUserMistake(interaction.id, error.identifier, error.message);
		return replyEphemeral(interaction, `⛔ ${error.message}`);
	}
}
