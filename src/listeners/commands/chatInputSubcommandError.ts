import { Listener, UserError } from '@sapphire/framework';
import { SubcommandPluginEvents, type ChatInputSubcommandErrorPayload } from '@sapphire/plugin-subcommands';
import { ChartRenderError } from '#lib/charts/RenderWorkerPool.js';
import { replyEphemeral } from '#lib/discord/replies.js';

/**
 * A subcommand threw. A UserError is the user's to fix (bad option, unknown member): show its text.
 * Anything else is ours: log it (it reaches Diagnostics) and give the user a short, honest answer.
 */
export class ChatInputSubcommandErrorListener extends Listener<typeof SubcommandPluginEvents.ChatInputSubcommandError> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: SubcommandPluginEvents.ChatInputSubcommandError });
	}

	public override async run(error: unknown, { interaction, matchedSubcommandMapping }: ChatInputSubcommandErrorPayload) {
		this.container.commandOutcomes.markFailed(interaction.id, error);
		if (error instanceof UserError) return replyEphemeral(interaction, `⚠️ ${error.message}`).catch(() => null);
		this.container.logger.error(`/${interaction.commandName} ${matchedSubcommandMapping.name} failed:`, error);
		if (error instanceof ChartRenderError) return replyEphemeral(interaction, `❌ ${error.userMessage}`).catch(() => null);
		return replyEphemeral(interaction, '❌ Something went wrong on our side while running this command. It has been reported to the bot operators.').catch(() => null);
	}
}
