import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import { shardGuildIds } from '#lib/discord/shardGuildIds.js';

/** Resumed: the missed events were replayed (leaves among them closed their sessions); the others ran on through the gap. */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.ShardResume, enabled: container.config.STATS_ENABLED }))
export class CaptureVoiceShardResumeListener extends Listener<typeof Events.ShardResume> {
	public override run(shardId: number) {
		this.container.stats.voice.resumeGuilds(shardGuildIds(this.container.client, shardId));
	}
}
