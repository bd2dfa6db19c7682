import { ApplyOptions } from '@sapphire/decorators';
import { Listener } from '@sapphire/framework';
import { GatewayDispatchEvents, type GatewayMessageReactionAddDispatchData } from 'discord.js';
import { recordReactionDispatch } from '#lib/discord/reactionDispatch.js';
import { HotPathListener } from '#lib/discord/HotPathListener.js';

/** A reaction added: +1, from the raw dispatch (see recordReactionDispatch). */
@ApplyOptions<Listener.Options>(({ container }) => ({ emitter: 'ws', event: GatewayDispatchEvents.MessageReactionAdd, enabled: container.config.STATS_ENABLED }))
export class CaptureReactionAddListener extends HotPathListener {
	public override run(data: GatewayMessageReactionAddDispatchData) {
		recordReactionDispatch(this.container, data, 1);
	}
}
