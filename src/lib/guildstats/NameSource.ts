/**
 * Names for the ids the store returns. The store keeps ids only (never names), so reports look
 * names up at render time from Discord: channels from the guild's channel cache, members from the
 * member cache plus one fetch for the ids it lacks (see guildNameSource).
 */
export type ChannelKind = 'text' | 'voice' | 'thread' | 'category' | 'other';

export interface ChannelInfo {
	name: string;
	kind: ChannelKind;
}

export interface MemberInfo {
	/** Nickname, global name or username, whichever Discord would show. */
	displayName: string;
	bot: boolean;
	/** False when the id is no longer a member of the guild (the name may then come from the user). */
	inGuild: boolean;
}

export interface NameSource {
	channel(id: string): ChannelInfo | null;
	/** Looks up many members at once (one Discord request at most for those not cached). */
	members(ids: readonly string[]): Promise<Map<string, MemberInfo>>;
}

/** "#general" for text channels and threads, the bare name for voice channels. */
export function channelLabel(info: ChannelInfo | null, id: string): string {
	if (!info) return `#deleted-channel-${id.slice(-4)}`;
	return info.kind === 'voice' || info.kind === 'category' ? info.name : `#${info.name}`;
}

/** The display name, or a stable placeholder for someone Discord no longer knows. */
export function memberLabel(info: MemberInfo | undefined, id: string): string {
	return info?.displayName ?? `Former member …${id.slice(-4)}`;
}
