import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { CloseEvent } from 'discord.js';

/** A shard closed with a code discord.js does not reconnect after (e.g. 4004): down until it is ready again. */
@ApplyOptions<Listener.Options>({ event: Events.ShardDisconnect })
export class GatewayIncidentDisconnectListener extends Listener<typeof Events.ShardDisconnect> {
	public override run(event: CloseEvent, shardId: number) {
		this.container.gatewayIncidents.disconnected(shardId, `disconnected for good (close code ${event.code})`);
	}
}
