import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, type ChatInputCommandFinishPayload } from '@sapphire/framework';
import type { ChatInputCommandInteraction } from 'discord.js';
import { commandName } from '#lib/commands/commandName.js';

/**
 * Every finished slash command: its outcome and duration go to monitoring (per-command analysis,
 * metrics) and to the statistics (per guild, ok or failed). A subcommand's error or denial is
 * reported separately (the router itself "succeeds"): CommandOutcomes joins the two.
 */
@ApplyOptions<Listener.Options>({ event: Events.ChatInputCommandFinish })
export class ChatInputCommandFinishListener extends Listener<typeof Events.ChatInputCommandFinish> {
	public override run(interaction: ChatInputCommandInteraction, _command: unknown, payload: ChatInputCommandFinishPayload) {
		const failure = this.container.commandOutcomes.take(interaction.id);
		const ok = payload.success && !failure;
		// A user's mistake was answered as designed: success for monitoring (error rate, success rate), counted by identifier.
		const mistake = failure?.userMistake ? failure.type : undefined;
		this.container.monitor.commands.finish(interaction.id, mistake ? { success: true, userMistake: mistake, durationMs: payload.duration } : { success: ok, error: failure, durationMs: payload.duration });
		this.container.stats.recordCommand({ guildId: interaction.guildId, command: commandName(interaction), ok, durationMs: payload.duration, at: Date.now() });
	}
}
