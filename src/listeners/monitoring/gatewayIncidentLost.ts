import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';

/** A shard's gateway connection closed and discord.js reconnects: the gateway incident may start (after the grace). */
@ApplyOptions<Listener.Options>({ event: Events.ShardReconnecting })
export class GatewayIncidentReconnectingListener extends Listener<typeof Events.ShardReconnecting> {
	public override run(shardId: number) {
		this.container.gatewayIncidents.disconnected(shardId, 'disconnected, reconnecting');
	}
}
