import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, type ChatInputCommandErrorPayload } from '@sapphire/framework';
import { userMistakeOf } from '#lib/commands/userMistake.js';
import { replyEphemeral } from '#lib/discord/replies.js';

/** A command (not routed through a subcommand) threw: same policy as chatInputSubcommandError. */
@ApplyOptions<Listener.Options>({ event: Events.ChatInputCommandError })
export class ChatInputCommandErrorListener extends Listener<typeof Events.ChatInputCommandError> {
	public override async run(error: unknown, { interaction }: ChatInputCommandErrorPayload) {
		const mistake = userMistakeOf(error);
		if (mistake) {
			this.container.commandOutcomes.markUserMistake(interaction.id, mistake, (error as Error).message);
			this.container.logger.debug(`/${interaction.commandName}: user mistake ${mistake}`);
			return replyEphemeral(interaction, `⚠️ ${(error as Error).message}`).catch(() => null);
		}
		this.container.commandOutcomes.markFailed(interaction.id, error);
		this.container.logger.error(`/${interaction.commandName} failed:`, error);
		return replyEphemeral(interaction, '❌ Something went wrong on our side while running this command. It has been reported to the bot operators.').catch(() => null);
	}
}
