import type { Channel } from 'discord.js';

export interface ChannelContextIds {
	channelId: string;
	/** For a thread: the channel it belongs to (stats count threads under it too). */
	parentChannelId: string | null;
	/** The category, for a thread the parent channel's category (ignore rules apply to it). */
	categoryId: string | null;
}

/** Ids the capture path needs from a cached channel; works for channels, threads and unknown ids. */
export function channelContext(channelId: string, channel: Channel | undefined | null): ChannelContextIds {
	if (!channel || !('parentId' in channel)) return { channelId, parentChannelId: null, categoryId: null };
	if (channel.isThread()) return { channelId, parentChannelId: channel.parentId, categoryId: channel.parent?.parentId ?? null };
	return { channelId, parentChannelId: null, categoryId: channel.parentId };
}
