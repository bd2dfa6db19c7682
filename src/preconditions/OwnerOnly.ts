import { AllFlowsPrecondition } from '@sapphire/framework';
import type { ChatInputCommandInteraction, ContextMenuCommandInteraction, Message, Snowflake } from 'discord.js';

/** Gate for operator commands: only ids in OWNER_IDS pass. The denial is ephemeral (see listeners/commands). */
export class OwnerOnlyPrecondition extends AllFlowsPrecondition {
	public override chatInputRun(interaction: ChatInputCommandInteraction) {
		return this.check(interaction.user.id);
	}

	public override contextMenuRun(interaction: ContextMenuCommandInteraction) {
		return this.check(interaction.user.id);
	}

	public override messageRun(message: Message) {
		return this.check(message.author.id);
	}

	private check(userId: Snowflake) {
		return this.container.config.OWNER_IDS.includes(userId)
			? this.ok()
			: this.error({ identifier: 'OwnerOnly', message: 'This command is for the bot owners only (OWNER_IDS).' });
	}
}
