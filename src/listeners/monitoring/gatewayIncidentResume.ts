import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';

/** The shard resumed its session: the gateway is back for it. */
@ApplyOptions<Listener.Options>({ event: Events.ShardResume })
export class GatewayIncidentResumeListener extends Listener<typeof Events.ShardResume> {
	public override run(shardId: number) {
		this.container.gatewayIncidents.connected(shardId);
	}
}
