import { container, Events, Listener } from '@sapphire/framework';
import type { VoiceState } from 'discord.js';
import { voiceSnapshot } from '#lib/discord/voiceSnapshot.js';

/** Voice join/leave/move/mute/deafen/stream: the tracker turns state changes into timed segments. */
export class CaptureVoiceListener extends Listener<typeof Events.VoiceStateUpdate> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.VoiceStateUpdate, enabled: container.config.STATS_ENABLED });
	}

	public override run(before: VoiceState, after: VoiceState) {
		this.container.stats.onVoiceState(after.guild.id, after.id, voiceSnapshot(before), voiceSnapshot(after));
	}
}
