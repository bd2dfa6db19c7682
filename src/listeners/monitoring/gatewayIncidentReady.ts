import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';

/** The shard identified again (a new session): the gateway is back for it. */
@ApplyOptions<Listener.Options>({ event: Events.ShardReady })
export class GatewayIncidentReadyListener extends Listener<typeof Events.ShardReady> {
	public override run(shardId: number) {
		this.container.gatewayIncidents.connected(shardId);
	}
}
