import { ApplyOptions } from '@sapphire/decorators';
import { Listener } from '@sapphire/framework';
import { GatewayDispatchEvents, type GatewayMessageReactionRemoveDispatchData } from 'discord.js';
import { recordReactionDispatch } from '#lib/discord/reactionDispatch.js';
import { HotPathListener } from '#lib/discord/HotPathListener.js';

/** A reaction removed: -1, from the raw dispatch (see recordReactionDispatch). */
@ApplyOptions<Listener.Options>(({ container }) => ({ emitter: 'ws', event: GatewayDispatchEvents.MessageReactionRemove, enabled: container.config.STATS_ENABLED }))
export class CaptureReactionRemoveListener extends HotPathListener {
	public override run(data: GatewayMessageReactionRemoveDispatchData) {
		recordReactionDispatch(this.container, data, -1);
	}
}
