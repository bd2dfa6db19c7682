import { AllFlowsPrecondition } from '@sapphire/framework';
import { PermissionFlagsBits, type ChatInputCommandInteraction, type ContextMenuCommandInteraction, type Message, type PermissionsBitField } from 'discord.js';

/**
 * Gate for server admin controls: the member needs Manage Server (the guild owner always has it).
 * Reads the permissions Discord computed for the interaction, so it needs no member cache.
 */
export class ManageGuildPrecondition extends AllFlowsPrecondition {
	public override chatInputRun(interaction: ChatInputCommandInteraction) {
		return this.check(interaction.memberPermissions, interaction.guild?.ownerId === interaction.user.id);
	}

	public override contextMenuRun(interaction: ContextMenuCommandInteraction) {
		return this.check(interaction.memberPermissions, interaction.guild?.ownerId === interaction.user.id);
	}

	public override messageRun(message: Message) {
		return this.check(message.member?.permissions ?? null, message.guild?.ownerId === message.author.id);
	}

	private check(permissions: Readonly<PermissionsBitField> | null, owner: boolean) {
		return owner || permissions?.has(PermissionFlagsBits.ManageGuild)
			? this.ok()
			: this.error({ identifier: 'ManageGuild', message: 'Only server admins (Manage Server permission) can change statistics settings.' });
	}
}
