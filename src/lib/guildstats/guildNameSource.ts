import type { Guild } from 'discord.js';
import { channelKind } from './channelKind.js';
import type { ChannelInfo, MemberInfo, NameSource } from './NameSource.js';

export interface GuildNameSourceOptions {
	/** How long to wait for Discord's member chunk before drawing placeholders; default 5 s. */
	fetchTimeoutMs?: number;
	onFetchError?: (error: unknown) => void;
}

/**
 * Names from a discord.js guild. The member cache of a large guild holds only a few members
 * (Discord sends the full list only to small guilds), so ids missing from it are fetched in ONE
 * request (gateway op 8 with user_ids); ids Discord does not return left the guild, and get the
 * user's name if the client still knows the user.
 */
export function guildNameSource(guild: Guild, options: GuildNameSourceOptions = {}): NameSource {
	return {
		channel(id: string): ChannelInfo | null {
			const channel = guild.channels.cache.get(id);
			return channel ? { name: channel.name, kind: channelKind(channel.type) } : null;
		},
		async members(ids: readonly string[]): Promise<Map<string, MemberInfo>> {
			const found = new Map<string, MemberInfo>();
			const unique = [...new Set(ids)];
			const add = (id: string) => {
				const member = guild.members.cache.get(id);
				if (member) found.set(id, { displayName: member.displayName, bot: member.user.bot, inGuild: true });
				return Boolean(member);
			};
			// One gateway request takes at most 100 user ids; reports ask for 10.
			const missing = unique.filter((id) => !add(id)).slice(0, 100);
			if (missing.length > 0) {
				try {
					await guild.members.fetch({ user: missing, time: options.fetchTimeoutMs ?? 5000 });
				} catch (error) {
					options.onFetchError?.(error);
				}
				for (const id of missing) {
					if (add(id)) continue;
					const user = guild.client.users.cache.get(id);
					if (user) found.set(id, { displayName: user.displayName, bot: user.bot, inGuild: false });
				}
			}
			return found;
		}
	};
}
