import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';

/** Failed reconnect attempts of a disconnected shard are counted in the gateway incident. */
@ApplyOptions<Listener.Options>({ event: Events.ShardError })
export class GatewayIncidentErrorListener extends Listener<typeof Events.ShardError> {
	public override run(error: Error, shardId: number) {
		this.container.gatewayIncidents.error(shardId, error);
	}
}
