import { Listener } from '@sapphire/framework';
import type { GatewayDispatchPayload } from 'discord.js';

/** Counts every gateway dispatch by type (bounded label) for /metrics: one counter increment, no I/O. */
export class GatewayEventsMetricListener extends Listener {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: 'raw' });
	}

	public override run(packet: GatewayDispatchPayload) {
		if (packet.t) this.container.metrics.countGatewayEvent(packet.t);
	}
}
