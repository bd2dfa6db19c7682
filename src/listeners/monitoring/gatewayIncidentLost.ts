import { Events, Listener } from '@sapphire/framework';

/** A shard's gateway connection closed and discord.js reconnects: the gateway incident may start (after the grace). */
export class GatewayIncidentReconnectingListener extends Listener<typeof Events.ShardReconnecting> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ShardReconnecting });
	}

	public override run(shardId: number) {
		this.container.gatewayIncidents.disconnected(shardId, 'disconnected, reconnecting');
	}
}
