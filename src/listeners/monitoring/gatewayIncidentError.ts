import { Events, Listener } from '@sapphire/framework';

/** Failed reconnect attempts of a disconnected shard are counted in the gateway incident. */
export class GatewayIncidentErrorListener extends Listener<typeof Events.ShardError> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ShardError });
	}

	public override run(error: Error, shardId: number) {
		this.container.gatewayIncidents.error(shardId, error);
	}
}
