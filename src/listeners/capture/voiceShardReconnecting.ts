import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import { shardGuildIds } from '#lib/discord/shardGuildIds.js';

/**
 * The shard's connection closed (it resumes or identifies again): voice sessions of its guilds are
 * not credited past now until a resume replays what was missed or a fresh GUILD_CREATE tells who
 * is in voice (see guildAvailable.ts). Without this, a member who left during the gap would accrue
 * time at every flush.
 */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.ShardReconnecting, enabled: container.config.STATS_ENABLED }))
export class CaptureVoiceShardReconnectingListener extends Listener<typeof Events.ShardReconnecting> {
	public override run(shardId: number) {
		this.container.stats.voice.suspendGuilds(shardGuildIds(this.container.client, shardId), Date.now());
	}
}
