import { ApplyOptions } from '@sapphire/decorators';
import { Listener } from '@sapphire/framework';
import { SubcommandPluginEvents, type ChatInputSubcommandErrorPayload } from '@sapphire/plugin-subcommands';
import { userMistakeOf } from '#lib/commands/userMistake.js';
import { ChartRenderError } from '#lib/charts/RenderWorkerPool.js';
import { replyEphemeral } from '#lib/discord/replies.js';

/**
 * A subcommand threw. A UserError is the user's to fix (bad option, unknown member): show its text,
 * count it by identifier, log it at debug only. Anything else is ours: log it (it reaches
 * Diagnostics, folded with identical errors) and give the user a short, honest answer.
 */
@ApplyOptions<Listener.Options>({ event: SubcommandPluginEvents.ChatInputSubcommandError })
export class ChatInputSubcommandErrorListener extends Listener<typeof SubcommandPluginEvents.ChatInputSubcommandError> {
	public override async run(error: unknown, { interaction, matchedSubcommandMapping }: ChatInputSubcommandErrorPayload) {
		const mistake = userMistakeOf(error);
		if (mistake) {
			this.container.commandOutcomes.markUserMistake(interaction.id, mistake, (error as Error).message);
			this.container.logger.debug(`/${interaction.commandName} ${matchedSubcommandMapping.name}: user mistake ${mistake}`);
			return replyEphemeral(interaction, `⚠️ ${(error as Error).message}`).catch(() => null);
		}
		this.container.commandOutcomes.markFailed(interaction.id, error);
		this.container.logger.error(`/${interaction.commandName} ${matchedSubcommandMapping.name} failed:`, error);
		if (error instanceof ChartRenderError) return replyEphemeral(interaction, `❌ ${error.userMessage}`).catch(() => null);
		return replyEphemeral(interaction, '❌ Something went wrong on our side while running this command. It has been reported to the bot operators.').catch(() => null);
	}
}
