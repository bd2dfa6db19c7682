import { Routes, type APIGuildMember, type Guild } from 'discord.js';
import { LRUCache } from 'lru-cache';

/** One current member of a guild, as reports that need the whole member list use it. */
export interface MemberRecord {
	id: string;
	username: string;
	/** Nickname, global name or username, whichever Discord would show. */
	displayName: string;
	bot: boolean;
	roleIds: readonly string[];
	/** Epoch ms, or null when Discord did not say. */
	joinedAt: number | null;
}

/** Discord's page size cap for GET /guilds/:id/members. */
export const MEMBER_PAGE_SIZE = 1000;

/** One page of members with ids above `after`, in id order (GET /guilds/:id/members?limit&after). */
export type MemberPageFetcher = (after: string, limit: number) => Promise<readonly APIGuildMember[]>;

export function memberRecord(member: APIGuildMember): MemberRecord {
	const user = member.user;
	return {
		id: user.id,
		username: user.username,
		displayName: member.nick ?? user.global_name ?? user.username,
		bot: Boolean(user.bot),
		roleIds: member.roles,
		joinedAt: member.joined_at ? Date.parse(member.joined_at) : null
	};
}

/**
 * The guild's whole current member list, read in pages of 1,000 (a 10k guild is 10 requests, paced
 * by discord.js's rate-limit handling). Raw API objects, so a large list is not pushed into the
 * member cache. Discord's gateway sends the full list only for small guilds, so the cache alone
 * would miss most members of a large one.
 */
export async function fetchMemberList(fetchPage: MemberPageFetcher): Promise<MemberRecord[]> {
	const members: MemberRecord[] = [];
	let after = '0';
	for (;;) {
		const page = await fetchPage(after, MEMBER_PAGE_SIZE);
		for (const member of page) members.push(memberRecord(member));
		if (page.length < MEMBER_PAGE_SIZE) return members;
		// Pages come in id order; the last id is the cursor of the next page.
		after = page[page.length - 1].user.id;
	}
}

/** A page fetcher over the bot's REST client. */
export function restMemberPages(guild: Guild): MemberPageFetcher {
	return async (after, limit) =>
		(await guild.client.rest.get(Routes.guildMembers(guild.id), { query: new URLSearchParams({ limit: String(limit), after }) })) as APIGuildMember[];
}

/**
 * Member lists by guild, kept briefly (`ttlMs`, default 60 s) so a burst of role-filtered reports
 * reads a large guild's list once; concurrent requests share one read (lru-cache fetchMethod).
 */
export class MemberListCache {
	private readonly lists: LRUCache<string, MemberRecord[], MemberPageFetcher>;

	public constructor(options: { max?: number; ttlMs?: number } = {}) {
		this.lists = new LRUCache<string, MemberRecord[], MemberPageFetcher>({
			max: options.max ?? 50,
			ttl: options.ttlMs ?? 60_000,
			fetchMethod: (_guildId, _stale, { context }) => fetchMemberList(context)
		});
	}

	public async get(guildId: string, fetchPage: MemberPageFetcher): Promise<MemberRecord[]> {
		return (await this.lists.fetch(guildId, { context: fetchPage })) ?? [];
	}

	/** Ids of the current members holding `roleId`. */
	public async roleMemberIds(guildId: string, roleId: string, fetchPage: MemberPageFetcher): Promise<string[]> {
		return (await this.get(guildId, fetchPage)).filter((member) => member.roleIds.includes(roleId)).map((member) => member.id);
	}
}
