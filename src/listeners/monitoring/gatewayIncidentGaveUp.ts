import { Events, Listener } from '@sapphire/framework';
import type { CloseEvent } from 'discord.js';

/** A shard closed with a code discord.js does not reconnect after (e.g. 4004): down until it is ready again. */
export class GatewayIncidentDisconnectListener extends Listener<typeof Events.ShardDisconnect> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ShardDisconnect });
	}

	public override run(event: CloseEvent, shardId: number) {
		this.container.gatewayIncidents.disconnected(shardId, `disconnected for good (close code ${event.code})`);
	}
}
