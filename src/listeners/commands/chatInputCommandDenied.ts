import { Events, Listener, type ChatInputCommandDeniedPayload, type UserError } from '@sapphire/framework';
import { replyEphemeral } from '#lib/discord/replies.js';

/** Command-level precondition failures (OwnerOnly, ManageGuild) answer ephemerally, never silently. */
export class ChatInputCommandDeniedListener extends Listener<typeof Events.ChatInputCommandDenied> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ChatInputCommandDenied });
	}

	public override run(error: UserError, { interaction }: ChatInputCommandDeniedPayload) {
		return replyEphemeral(interaction, `⛔ ${error.message}`);
	}
}
