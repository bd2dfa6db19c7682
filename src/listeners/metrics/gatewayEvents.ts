import { ApplyOptions } from '@sapphire/decorators';
import { Listener } from '@sapphire/framework';
import type { GatewayDispatchPayload } from 'discord.js';
import { HotPathListener } from '#lib/discord/HotPathListener.js';

/** Counts every gateway dispatch by type (bounded label) for /metrics: one counter increment, no I/O. */
@ApplyOptions<Listener.Options>({ event: 'raw' })
export class GatewayEventsMetricListener extends HotPathListener {
	public override run(packet: GatewayDispatchPayload) {
		if (packet.t) this.container.metrics.countGatewayEvent(packet.t);
	}
}
