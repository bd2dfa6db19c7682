import { memberObject } from './payloads.js';
import { DEFAULT_EVERYONE_PERMISSIONS, Permission } from './permissions.js';
import { SeededRandom } from './SeededRandom.js';
import { snowflake } from './snowflake.js';
import { ChannelType, type Channel, type GuildSeed, type MemberObject, type Role, type User, type VoiceStateObject } from './types.js';

export interface SeedGuildOptions {
	id?: string;
	name?: string;
	/** Human members (default 200), the owner included. */
	members?: number;
	/** Extra bot accounts among the members (default 2), so stats code meets bots like in real guilds. */
	bots?: number;
	textChannels?: number; // default 8
	voiceChannels?: number; // default 4
	categories?: number; // default 3 (8 + 4 + 3 = 15 channels)
	/** Members sitting in voice channels at startup (default ~3% of members, at least 3). */
	inVoice?: number;
	seed?: number; // default 1
	ownerId?: string;
	/** Channels with fixed ids, e.g. the report channels of the bot's config. Text unless `type` says otherwise. */
	extraChannels?: Array<{ id: string; name: string; type?: number; parent_id?: string | null; topic?: string }>;
}

const ADJECTIVES = ['quiet', 'brave', 'lucky', 'swift', 'sunny', 'mellow', 'clever', 'fuzzy', 'rusty', 'cosmic', 'silent', 'golden', 'happy', 'wild', 'tiny', 'jolly', 'frosty', 'noble', 'witty', 'shy'];
const NOUNS = ['otter', 'falcon', 'maple', 'pixel', 'comet', 'badger', 'lantern', 'walrus', 'cactus', 'nebula', 'panda', 'harbor', 'willow', 'ember', 'raven', 'koala', 'meadow', 'quartz', 'tiger', 'dune'];
const TEXT_NAMES = ['general', 'announcements', 'random', 'memes', 'help', 'dev-talk', 'off-topic', 'media', 'bot-commands', 'showcase', 'music', 'gaming', 'art', 'feedback', 'introductions'];
const VOICE_NAMES = ['General Voice', 'Gaming', 'Music', 'Study Room', 'Chill', 'AFK', 'Stage Talk', 'Late Night'];
const CATEGORY_NAMES = ['Information', 'Community', 'Voice', 'Projects', 'Archive', 'Events'];

/** 2020-01-01; seeded timestamps are fixed dates so the same seed yields the same guild on every run. */
const BASE_MS = Date.UTC(2020, 0, 1);
const DAY = 86_400_000;
const SEED_END_MS = Date.UTC(2025, 0, 1);

/**
 * A realistic guild, deterministic for a given `seed`: @everyone (id = guild id) and an Admin role with
 * ManageGuild, categories holding text and voice channels, ~200 members with join dates and roles,
 * and a few members already in voice.
 */
export function seedGuild(o: SeedGuildOptions = {}): GuildSeed {
	const seed = o.seed ?? 1;
	const rng = new SeededRandom(seed);
	const humans = Math.max(1, o.members ?? 200);
	const botCount = Math.max(0, o.bots ?? 2);
	const createdMs = BASE_MS + ((seed * 37) % 1000) * DAY + rng.int(0, DAY - 1);
	const id = o.id ?? snowflake(createdMs, (seed * 131) & 0xfff);
	// Distinct low bits per guild seed keep user ids of different seeded guilds apart.
	let sequence = ((seed * 2654435761) >>> 0) & 0x3f_f000;
	const nextId = (ms: number) => snowflake(ms, sequence++);

	const role = (name: string, position: number, permissions: bigint, extra: Partial<Role> = {}): Role => ({
		id: nextId(createdMs + position * 60_000),
		name,
		color: 0,
		hoist: false,
		position,
		permissions: permissions.toString(),
		managed: false,
		mentionable: false,
		icon: null,
		unicode_emoji: null,
		flags: 0,
		...extra
	});
	const everyone: Role = { ...role('@everyone', 0, DEFAULT_EVERYONE_PERMISSIONS), id };
	const memberRole = role('Member', 1, 0n, { color: 0x3498db });
	const botsRole = role('Bots', 2, 0n, { color: 0x95a5a6, hoist: true });
	const moderator = role('Moderator', 3, Permission.ManageMessages | Permission.KickMembers | Permission.MuteMembers | Permission.MoveMembers | Permission.ModerateMembers | Permission.ManageThreads, {
		color: 0x2ecc71,
		hoist: true
	});
	const admin = role('Admin', 4, Permission.ManageGuild | Permission.ManageChannels | Permission.ManageRoles | Permission.ManageMessages | Permission.KickMembers | Permission.BanMembers | Permission.ViewAuditLog | Permission.ManageWebhooks | Permission.ModerateMembers, {
		color: 0xe74c3c,
		hoist: true
	});
	const roles = [everyone, memberRole, botsRole, moderator, admin];

	// Channels: categories first, voice channels go to a "Voice" category when there are at least two.
	const categoryCount = Math.max(0, o.categories ?? 3);
	const textCount = Math.max(0, o.textChannels ?? 8);
	const voiceCount = Math.max(0, o.voiceChannels ?? 4);
	const channels: Channel[] = [];
	const categories: Channel[] = [];
	for (let i = 0; i < categoryCount; i++) {
		const name = categoryCount >= 2 && i === categoryCount - 1 ? 'Voice' : CATEGORY_NAMES.filter((n) => n !== 'Voice')[i % 5];
		categories.push({ id: nextId(createdMs + DAY + i * 1000), type: ChannelType.GuildCategory, name, position: i, permission_overwrites: [], flags: 0 });
	}
	channels.push(...categories);
	const textParents = categoryCount >= 2 ? categories.slice(0, -1) : categories;
	const voiceParent = categories.at(-1) ?? null;
	for (let i = 0; i < textCount; i++) {
		const name = i < TEXT_NAMES.length ? TEXT_NAMES[i] : `channel-${i + 1}`;
		channels.push({
			id: nextId(createdMs + 2 * DAY + i * 1000),
			type: ChannelType.GuildText,
			name,
			position: i,
			parent_id: textParents.length ? textParents[i % textParents.length].id : null,
			topic: null,
			nsfw: false,
			rate_limit_per_user: 0,
			last_message_id: null,
			permission_overwrites: [],
			flags: 0
		});
	}
	for (let i = 0; i < voiceCount; i++) {
		channels.push({
			id: nextId(createdMs + 3 * DAY + i * 1000),
			type: ChannelType.GuildVoice,
			name: i < VOICE_NAMES.length ? VOICE_NAMES[i] : `Voice ${i + 1}`,
			position: i,
			parent_id: voiceParent?.id ?? null,
			bitrate: 64_000,
			user_limit: 0,
			rtc_region: null,
			nsfw: false,
			rate_limit_per_user: 0,
			last_message_id: null,
			permission_overwrites: [],
			flags: 0
		});
	}
	for (const [i, extra] of (o.extraChannels ?? []).entries()) {
		const type = extra.type ?? ChannelType.GuildText;
		channels.push({
			id: extra.id,
			type,
			name: extra.name,
			position: textCount + i,
			parent_id: extra.parent_id ?? null,
			topic: extra.topic ?? null,
			nsfw: false,
			rate_limit_per_user: 0,
			last_message_id: null,
			permission_overwrites: [],
			flags: 0,
			...(type === ChannelType.GuildVoice ? { bitrate: 64_000, user_limit: 0, rtc_region: null } : {})
		});
	}

	// Members: humans first (index 0 is the owner unless ownerId names someone else), then bots.
	const members: MemberObject[] = [];
	const userCreatedStart = Date.UTC(2016, 0, 1);
	for (let i = 0; i < humans + botCount; i++) {
		const isBot = i >= humans;
		const createdAt = userCreatedStart + Math.floor(rng.next() * (createdMs - userCreatedStart));
		const adjective = rng.pick(ADJECTIVES);
		const noun = rng.pick(NOUNS);
		const user: User = {
			id: i === 0 && o.ownerId ? o.ownerId : nextId(createdAt),
			username: isBot ? `${noun}bot${i - humans + 1}` : `${adjective}_${noun}${i}`,
			global_name: isBot ? null : `${adjective[0].toUpperCase()}${adjective.slice(1)} ${noun[0].toUpperCase()}${noun.slice(1)}`,
			discriminator: isBot ? String(1000 + i).slice(-4) : '0',
			avatar: null,
			...(isBot ? { bot: true } : {})
		};
		const joinedFrom = Math.max(createdAt, createdMs);
		const joinedMs = joinedFrom + Math.floor(rng.next() * (SEED_END_MS - joinedFrom));
		const memberRoles: string[] = [];
		if (isBot) memberRoles.push(botsRole.id);
		else if (i === 0) memberRoles.push(admin.id, memberRole.id);
		else {
			if (rng.chance(0.6)) memberRoles.push(memberRole.id);
			if (rng.chance(0.04)) memberRoles.push(moderator.id);
		}
		members.push(memberObject(user, memberRoles, new Date(i === 0 ? createdMs : joinedMs).toISOString(), !isBot && rng.chance(0.1) ? `${noun} ${i}` : null));
	}
	const ownerId = o.ownerId ?? members[0].user.id;

	const voiceChannels = channels.filter((c) => c.type === ChannelType.GuildVoice);
	const wantInVoice = voiceChannels.length === 0 ? 0 : Math.min(humans, o.inVoice ?? Math.max(3, Math.round(humans * 0.03)));
	const voice_states: VoiceStateObject[] = [];
	const taken = new Set<number>();
	while (voice_states.length < wantInVoice) {
		const index = rng.int(0, humans - 1);
		if (taken.has(index)) continue;
		taken.add(index);
		voice_states.push({
			user_id: members[index].user.id,
			channel_id: voiceChannels[voice_states.length % voiceChannels.length].id,
			session_id: rng.hex(32),
			deaf: false,
			mute: false,
			self_deaf: rng.chance(0.1),
			self_mute: rng.chance(0.3),
			self_stream: false,
			self_video: false,
			suppress: false,
			request_to_speak_timestamp: null
		});
	}

	return {
		id,
		name: o.name ?? (seed === 1 ? 'Nexus Demo' : `Nexus Demo ${seed}`),
		owner_id: ownerId,
		roles,
		channels,
		members,
		voice_states,
		icon: null,
		system_channel_id: channels.find((c) => c.type === ChannelType.GuildText)?.id ?? null,
		preferred_locale: 'en-US',
		features: []
	};
}
