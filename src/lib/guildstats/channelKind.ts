import { ChannelType } from 'discord.js';
import type { ChannelKind } from './NameSource.js';

/** How reports treat a Discord channel type (label style, voice vs text figures). */
export function channelKind(type: ChannelType): ChannelKind {
	switch (type) {
		case ChannelType.GuildVoice:
		case ChannelType.GuildStageVoice:
			return 'voice';
		case ChannelType.GuildCategory:
			return 'category';
		case ChannelType.PublicThread:
		case ChannelType.PrivateThread:
		case ChannelType.AnnouncementThread:
			return 'thread';
		case ChannelType.GuildText:
		case ChannelType.GuildAnnouncement:
		case ChannelType.GuildForum:
		case ChannelType.GuildMedia:
			return 'text';
		default:
			return 'other';
	}
}
