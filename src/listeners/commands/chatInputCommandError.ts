import { Events, Listener, UserError, type ChatInputCommandErrorPayload } from '@sapphire/framework';
import { replyEphemeral } from '#lib/discord/replies.js';

/** A command (not routed through a subcommand) threw: same policy as chatInputSubcommandError. */
export class ChatInputCommandErrorListener extends Listener<typeof Events.ChatInputCommandError> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ChatInputCommandError });
	}

	public override async run(error: unknown, { interaction }: ChatInputCommandErrorPayload) {
		this.container.commandOutcomes.markFailed(interaction.id, error);
		if (error instanceof UserError) return replyEphemeral(interaction, `⚠️ ${error.message}`).catch(() => null);
		this.container.logger.error(`/${interaction.commandName} failed:`, error);
		return replyEphemeral(interaction, '❌ Something went wrong on our side while running this command. It has been reported to the bot operators.').catch(() => null);
	}
}
