import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { VoiceState } from 'discord.js';
import { voiceSnapshot } from '#lib/discord/voiceSnapshot.js';
import { HotPathListener } from '#lib/discord/HotPathListener.js';

/** Voice join/leave/move/mute/deafen/stream: the tracker turns state changes into timed segments. */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.VoiceStateUpdate, enabled: container.config.STATS_ENABLED }))
export class CaptureVoiceListener extends HotPathListener<typeof Events.VoiceStateUpdate> {
	public override run(before: VoiceState, after: VoiceState) {
		this.container.stats.onVoiceState(after.guild.id, after.id, voiceSnapshot(before), voiceSnapshot(after));
	}
}
