import { sql, type Kysely } from 'kysely';
import { NOT_OPTED_OUT } from './statsSql.js';
import { FAMILIES, TABLES, tableName, timeColumn, type Granularity } from './statsSchema.js';

/*
 * Raw reads for `/guildstats export` and `/guildstats inactive`: a guild's stored counts per time
 * bucket, and every member's last activity. Opted-out members never appear in member rows; the
 * guild and channel rows are written without them at flush time.
 */

export interface ExportRange {
	granularity: Granularity;
	/** First bucket (UTC epoch hour or day, matching `granularity`), inclusive. */
	from: number;
	/** Last bucket, exclusive. */
	to: number;
}

export interface GuildExportRow {
	/** UTC epoch hour or day. */
	t: number;
	messages: number;
	voiceSeconds: number;
	reactions: number;
	joins: number;
	leaves: number;
	/** Distinct active members of the bucket (humans and bots, each counted once per kind). */
	activeMembers: number;
}

export interface ChannelExportRow {
	t: number;
	channelId: string;
	messages: number;
	voiceSeconds: number;
	reactions: number;
}

export interface MemberExportRow {
	t: number;
	userId: string;
	bot: boolean;
	messages: number;
	voiceSeconds: number;
	reactionsGiven: number;
	reactionsReceived: number;
}

export interface ExportRows {
	guild: GuildExportRow[];
	channels: ChannelExportRow[];
	members: MemberExportRow[];
}

const n = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/**
 * The guild's rows of the three families in the range, sorted by time then id (one query per family).
 * Member rows start at `memberFloor` (hourly: per-member hours before it are kept per day only).
 */
export async function readExportRows(db: Kysely<any>, guildId: string, range: ExportRange, memberFloor = 0): Promise<ExportRows> {
	const time = sql.ref(timeColumn(range.granularity));
	const table = (family: (typeof FAMILIES)[keyof typeof FAMILIES]) => sql.table(tableName(family, range.granularity));
	const inRange = sql`guild_id = ${guildId} and ${time} >= ${range.from} and ${time} < ${range.to}`;
	const [guild, channels, members] = await Promise.all([
		sql<Record<string, unknown>>`
			select ${time} as t, sum(messages) as messages, sum(voice_seconds) as voice_seconds, sum(reactions) as reactions,
				sum(joins) as joins, sum(leaves) as leaves, sum(active_members) as active
			from ${table(FAMILIES.guild)} where ${inRange} group by ${time} order by ${time}`.execute(db),
		sql<Record<string, unknown>>`
			select ${time} as t, channel_id, sum(messages) as messages, sum(voice_seconds) as voice_seconds, sum(reactions) as reactions
			from ${table(FAMILIES.channel)} where ${inRange} group by ${time}, channel_id order by ${time}, channel_id`.execute(db),
		sql<Record<string, unknown>>`
			select ${time} as t, user_id, bot, messages, voice_seconds, reactions_given, reactions_received
			from ${table(FAMILIES.member)} as m where ${inRange} and ${time} >= ${memberFloor} and ${NOT_OPTED_OUT('m.user_id')} order by ${time}, user_id`.execute(db)
	]);
	return {
		guild: guild.rows.map((row) => ({
			t: n(row.t),
			messages: n(row.messages),
			voiceSeconds: n(row.voice_seconds),
			reactions: n(row.reactions),
			joins: n(row.joins),
			leaves: n(row.leaves),
			activeMembers: n(row.active)
		})),
		channels: channels.rows.map((row) => ({ t: n(row.t), channelId: String(row.channel_id), messages: n(row.messages), voiceSeconds: n(row.voice_seconds), reactions: n(row.reactions) })),
		members: members.rows.map((row) => ({
			t: n(row.t),
			userId: String(row.user_id),
			bot: n(row.bot) === 1,
			messages: n(row.messages),
			voiceSeconds: n(row.voice_seconds),
			reactionsGiven: n(row.reactions_given),
			reactionsReceived: n(row.reactions_received)
		}))
	};
}

/**
 * Every member's latest activity (message, voice, reaction added; epoch ms) in the guild, in one
 * read of the guild's range of stats_member_totals. Opted-out members are left out.
 */
export async function readLastActivity(db: Kysely<any>, guildId: string): Promise<Map<string, number>> {
	const { rows } = await sql<{ user_id: string; last_at: unknown }>`
		select t.user_id, t.last_at from ${sql.table(TABLES.memberTotals)} as t
		where t.guild_id = ${guildId} and t.last_at > 0 and ${NOT_OPTED_OUT('t.user_id')}`.execute(db);
	return new Map(rows.map((row) => [String(row.user_id), n(row.last_at)]));
}
