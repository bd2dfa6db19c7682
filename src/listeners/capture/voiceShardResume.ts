import { container, Events, Listener } from '@sapphire/framework';
import { shardGuildIds } from '#lib/discord/shardGuildIds.js';

/** Resumed: the missed events were replayed (leaves among them closed their sessions); the others ran on through the gap. */
export class CaptureVoiceShardResumeListener extends Listener<typeof Events.ShardResume> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ShardResume, enabled: container.config.STATS_ENABLED });
	}

	public override run(shardId: number) {
		this.container.stats.voice.resumeGuilds(shardGuildIds(this.container.client, shardId));
	}
}
