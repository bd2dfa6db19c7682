import type { Channel, Role } from './types.js';

/** Permission bits the sandbox cares about (values from Discord's documentation). */
export const Permission = {
	CreateInstantInvite: 1n << 0n,
	KickMembers: 1n << 1n,
	BanMembers: 1n << 2n,
	Administrator: 1n << 3n,
	ManageChannels: 1n << 4n,
	ManageGuild: 1n << 5n,
	AddReactions: 1n << 6n,
	ViewAuditLog: 1n << 7n,
	PrioritySpeaker: 1n << 8n,
	Stream: 1n << 9n,
	ViewChannel: 1n << 10n,
	SendMessages: 1n << 11n,
	SendTTSMessages: 1n << 12n,
	ManageMessages: 1n << 13n,
	EmbedLinks: 1n << 14n,
	AttachFiles: 1n << 15n,
	ReadMessageHistory: 1n << 16n,
	MentionEveryone: 1n << 17n,
	UseExternalEmojis: 1n << 18n,
	ViewGuildInsights: 1n << 19n,
	Connect: 1n << 20n,
	Speak: 1n << 21n,
	MuteMembers: 1n << 22n,
	DeafenMembers: 1n << 23n,
	MoveMembers: 1n << 24n,
	UseVAD: 1n << 25n,
	ChangeNickname: 1n << 26n,
	ManageNicknames: 1n << 27n,
	ManageRoles: 1n << 28n,
	ManageWebhooks: 1n << 29n,
	ManageGuildExpressions: 1n << 30n,
	UseApplicationCommands: 1n << 31n,
	ManageEvents: 1n << 33n,
	ManageThreads: 1n << 34n,
	CreatePublicThreads: 1n << 35n,
	CreatePrivateThreads: 1n << 36n,
	SendMessagesInThreads: 1n << 38n,
	ModerateMembers: 1n << 40n
} as const;

/** Every bit up to 2^50, what owners and administrators effectively hold. */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;

/** What a fresh guild's @everyone may do. */
export const DEFAULT_EVERYONE_PERMISSIONS =
	Permission.CreateInstantInvite |
	Permission.AddReactions |
	Permission.Stream |
	Permission.ViewChannel |
	Permission.SendMessages |
	Permission.EmbedLinks |
	Permission.AttachFiles |
	Permission.ReadMessageHistory |
	Permission.UseExternalEmojis |
	Permission.Connect |
	Permission.Speak |
	Permission.UseVAD |
	Permission.ChangeNickname |
	Permission.UseApplicationCommands |
	Permission.CreatePublicThreads |
	Permission.SendMessagesInThreads;

/** Guild-level permissions of a member (Discord's algorithm: owner and Administrator get everything). */
export function guildPermissions(o: { guildId: string; ownerId: string; userId: string; memberRoles: readonly string[]; roles: ReadonlyMap<string, Role> }): bigint {
	if (o.userId === o.ownerId) return ALL_PERMISSIONS;
	let bits = BigInt(o.roles.get(o.guildId)?.permissions ?? '0');
	for (const roleId of o.memberRoles) bits |= BigInt(o.roles.get(roleId)?.permissions ?? '0');
	return bits & Permission.Administrator ? ALL_PERMISSIONS : bits;
}

/** Channel-level permissions: guild permissions, then @everyone, role and member overwrites in that order. */
export function channelPermissions(base: bigint, o: { guildId: string; userId: string; memberRoles: readonly string[]; channel: Channel }): bigint {
	if (base & Permission.Administrator) return ALL_PERMISSIONS;
	const overwrites = o.channel.permission_overwrites ?? [];
	let bits = base;
	const everyone = overwrites.find((ow) => ow.id === o.guildId);
	if (everyone) bits = (bits & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
	let allow = 0n;
	let deny = 0n;
	for (const ow of overwrites) {
		if (ow.type === 0 && o.memberRoles.includes(ow.id)) {
			allow |= BigInt(ow.allow);
			deny |= BigInt(ow.deny);
		}
	}
	bits = (bits & ~deny) | allow;
	const member = overwrites.find((ow) => ow.type === 1 && ow.id === o.userId);
	if (member) bits = (bits & ~BigInt(member.deny)) | BigInt(member.allow);
	return bits;
}
