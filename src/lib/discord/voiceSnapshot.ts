import type { Guild, VoiceState } from 'discord.js';
import type { SeedVoiceState, VoiceStateSnapshot } from '#lib/stats/VoiceSessionTracker.js';

/** The part of a discord.js VoiceState the voice tracker needs; null when not in a channel. */
export function voiceSnapshot(state: VoiceState): VoiceStateSnapshot | null {
	if (!state.channelId) return null;
	return {
		channelId: state.channelId,
		parentId: state.channel?.parentId ?? null,
		muted: Boolean(state.selfMute || state.serverMute),
		deafened: Boolean(state.selfDeaf || state.serverDeaf),
		streaming: Boolean(state.streaming),
		bot: state.member?.user.bot ?? state.client.users.cache.get(state.id)?.bot ?? false
	};
}

/** Members already in voice when a guild becomes available (startup, reconnect, join). */
export function voiceStatesOf(guild: Guild): SeedVoiceState[] {
	const states: SeedVoiceState[] = [];
	for (const state of guild.voiceStates.cache.values()) {
		const snapshot = voiceSnapshot(state);
		if (snapshot) states.push({ ...snapshot, userId: state.id });
	}
	return states;
}
