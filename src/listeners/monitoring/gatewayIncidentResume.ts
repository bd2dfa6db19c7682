import { Events, Listener } from '@sapphire/framework';

/** The shard resumed its session: the gateway is back for it. */
export class GatewayIncidentResumeListener extends Listener<typeof Events.ShardResume> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ShardResume });
	}

	public override run(shardId: number) {
		this.container.gatewayIncidents.connected(shardId);
	}
}
