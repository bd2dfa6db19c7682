import { Events, Listener } from '@sapphire/framework';

/** The shard identified again (a new session): the gateway is back for it. */
export class GatewayIncidentReadyListener extends Listener<typeof Events.ShardReady> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ShardReady });
	}

	public override run(shardId: number) {
		this.container.gatewayIncidents.connected(shardId);
	}
}
