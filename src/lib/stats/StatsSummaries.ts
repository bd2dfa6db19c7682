import { sql, type Kysely } from 'kysely';
import { FLUSH_SEQ_META, type MetaStore } from './MetaStore.js';
import { ACTIVE_MEMBER, NOT_OPTED_OUT } from './statsSql.js';
import { FAMILIES, TABLES, tableName } from './statsSchema.js';
import type { AnalyticsSnapshot, DailySummary, GuildActivity, StoreTotals } from './statsTypes.js';
import { formatUtcDay, parseUtcDay } from './timeBuckets.js';

/**
 * The operational summaries over every guild: the analytics report's windows (from the flush
 * log), the daily summary (from the daily tables) and the store's overall totals.
 */
export class StatsSummaries {
	public constructor(
		private readonly db: Kysely<any>,
		private readonly meta: MetaStore
	) {}

	/**
	 * Activity per guild (all shards) from the flush log; active members from last activity in (since, now].
	 * With `afterSeq` (the `seq` of the previous window) it counts the flushes committed since that
	 * window was read, whatever their timestamp, so consecutive windows count each flush exactly once.
	 * Without it (the first window) it counts the flushes stamped after `since`. `notBefore` skips
	 * flushes stamped before it (a window never reaches back further than the caller wants).
	 */
	public async analyticsSnapshot(since: number, now: number = Date.now(), options: { afterSeq?: number; notBefore?: number } = {}): Promise<AnalyticsSnapshot> {
		// Read first: every flush up to this seq has committed (see StatsStore's nextFlushSeq), so the sums below see all of them.
		const seq = Number((await this.meta.get(FLUSH_SEQ_META)) ?? 0);
		const range =
			options.afterSeq === undefined ? sql`seq <= ${seq} and at > ${since}` : sql`seq > ${options.afterSeq} and seq <= ${seq} and at > ${options.notBefore ?? 0}`;
		const sums = await sql<{ guild_id: string; messages: number; voice_seconds: number; reactions: number; joins: number; leaves: number; commands: number; commands_failed: number }>`
			select guild_id, sum(messages) as messages, sum(voice_seconds) as voice_seconds, sum(reactions) as reactions, sum(joins) as joins,
				sum(leaves) as leaves, sum(commands) as commands, sum(commands_failed) as commands_failed
			from ${sql.table(TABLES.flushLog)} where ${range} group by guild_id`.execute(this.db);
		const active = await sql<{ guild_id: string; n: number }>`
			select guild_id, count(*) as n from ${sql.table(TABLES.memberTotals)} as l
			where l.last_at > ${since} and l.last_at <= ${now} and ${NOT_OPTED_OUT('l.user_id')} group by guild_id`.execute(this.db);
		const guilds = new Map<string, GuildActivity>();
		const entry = (guildId: string) => activityOf(guilds, guildId, zeroActivity);
		for (const row of sums.rows) {
			const value = entry(row.guild_id);
			setGuildSums(value, row);
			value.commands = Number(row.commands);
			value.commandsFailed = Number(row.commands_failed);
		}
		for (const row of active.rows) entry(row.guild_id).activeMembers = Number(row.n);
		const list = [...guilds.values()].filter((guild) => guild.guildId !== '').sort((a, b) => b.messages - a.messages || (a.guildId < b.guildId ? -1 : 1));
		const total = sumActivity([...guilds.values()]);
		return { from: since, to: now, seq, guilds: list, total };
	}

	/** Totals of one UTC day ('YYYY-MM-DD') per guild and overall, with each guild's top 3 channels. */
	public async dailySummary(dayUtc: string): Promise<DailySummary> {
		const day = parseUtcDay(dayUtc);
		const guildRows = await sql<{ guild_id: string; messages: number; voice_seconds: number; reactions: number; joins: number; leaves: number; active: number }>`
			select guild_id, sum(messages) as messages, sum(voice_seconds) as voice_seconds, sum(reactions) as reactions, sum(joins) as joins,
				sum(leaves) as leaves, sum(active_members) as active
			from ${sql.table(tableName(FAMILIES.guild, 'daily'))} where day = ${day} group by guild_id`.execute(this.db);
		const commandRows = await sql<{ guild_id: string; ok: number; failed: number }>`
			select guild_id, sum(ok) as ok, sum(failed) as failed from ${sql.table(tableName(FAMILIES.command, 'daily'))} where day = ${day} group by guild_id`.execute(this.db);
		const channelRows = await sql<{ guild_id: string; channel_id: string; messages: number }>`
			select guild_id, channel_id, sum(messages) as messages from ${sql.table(tableName(FAMILIES.channel, 'daily'))}
			where day = ${day} group by guild_id, channel_id having sum(messages) > 0`.execute(this.db);
		const distinctActive = await sql<{ n: number }>`
			select count(distinct m.user_id) as n from ${sql.table(tableName(FAMILIES.member, 'daily'))} as m
			where m.day = ${day} and ${ACTIVE_MEMBER('m')} and ${NOT_OPTED_OUT('m.user_id')}`.execute(this.db);
		const botGuilds = await sql<{ joins: number; leaves: number }>`
			select coalesce(sum(joins), 0) as joins, coalesce(sum(leaves), 0) as leaves from ${sql.table(tableName(FAMILIES.botGuild, 'daily'))} where day = ${day}`.execute(this.db);

		const guilds = new Map<string, GuildActivity & { topChannels: { channelId: string; messages: number }[] }>();
		const entry = (guildId: string) => activityOf(guilds, guildId, (id) => ({ ...zeroActivity(id), topChannels: [] }));
		for (const row of guildRows.rows) {
			const value = entry(row.guild_id);
			setGuildSums(value, row);
			value.activeMembers = Number(row.active);
		}
		for (const row of commandRows.rows) {
			const value = entry(row.guild_id);
			value.commands = Number(row.ok) + Number(row.failed);
			value.commandsFailed = Number(row.failed);
		}
		const sortedChannels = channelRows.rows
			.map((row) => ({ guildId: row.guild_id, channelId: row.channel_id, messages: Number(row.messages) }))
			.sort((a, b) => b.messages - a.messages || (a.channelId < b.channelId ? -1 : 1));
		for (const row of sortedChannels) {
			const value = entry(row.guildId);
			if (value.topChannels.length < 3) value.topChannels.push({ channelId: row.channelId, messages: row.messages });
		}
		const all = [...guilds.values()];
		const overall = sumActivity(all);
		overall.activeMembers = Number(distinctActive.rows[0]?.n ?? 0);
		return {
			day: formatUtcDay(day),
			guilds: all.filter((guild) => guild.guildId !== '').sort((a, b) => b.messages - a.messages || (a.guildId < b.guildId ? -1 : 1)),
			overall,
			botGuildJoins: Number(botGuilds.rows[0]?.joins ?? 0),
			botGuildLeaves: Number(botGuilds.rows[0]?.leaves ?? 0)
		};
	}

	/** Everything retained, all guilds (the demo's summary.json). Reactions are reactions added, net of removals. */
	public async totals(): Promise<StoreTotals> {
		const guild = await sql<{ messages: number; reactions: number; voice_seconds: number; joins: number; leaves: number }>`
			select coalesce(sum(messages), 0) as messages, coalesce(sum(reactions), 0) as reactions, coalesce(sum(voice_seconds), 0) as voice_seconds,
				coalesce(sum(joins), 0) as joins, coalesce(sum(leaves), 0) as leaves
			from ${sql.table(tableName(FAMILIES.guild, 'daily'))}`.execute(this.db);
		const commands = await sql<{ n: number }>`select coalesce(sum(ok + failed), 0) as n from ${sql.table(tableName(FAMILIES.command, 'daily'))}`.execute(this.db);
		const row = guild.rows[0];
		return {
			messages: Number(row.messages),
			reactions: Number(row.reactions),
			voiceSeconds: Number(row.voice_seconds),
			joins: Number(row.joins),
			leaves: Number(row.leaves),
			commands: Number(commands.rows[0].n)
		};
	}
}

function zeroActivity(guildId: string): GuildActivity {
	return { guildId, messages: 0, activeMembers: 0, voiceMinutes: 0, reactions: 0, joins: 0, leaves: 0, commands: 0, commandsFailed: 0 };
}

/** The guild's entry in `guilds`, created by `make` on first use. */
function activityOf<T extends GuildActivity>(guilds: Map<string, T>, guildId: string, make: (guildId: string) => T): T {
	let value = guilds.get(guildId);
	if (!value) guilds.set(guildId, (value = make(guildId)));
	return value;
}

/** Copies a guild-family sums row (voice in seconds) onto an activity entry (voice in whole minutes). */
function setGuildSums(value: GuildActivity, row: { messages: number; voice_seconds: number; reactions: number; joins: number; leaves: number }): void {
	value.messages = Number(row.messages);
	value.voiceMinutes = Math.round(Number(row.voice_seconds) / 60);
	value.reactions = Number(row.reactions);
	value.joins = Number(row.joins);
	value.leaves = Number(row.leaves);
}

function sumActivity(list: GuildActivity[]): Omit<GuildActivity, 'guildId'> {
	const total = zeroActivity('');
	for (const guild of list) {
		total.messages += guild.messages;
		total.activeMembers += guild.activeMembers;
		total.voiceMinutes += guild.voiceMinutes;
		total.reactions += guild.reactions;
		total.joins += guild.joins;
		total.leaves += guild.leaves;
		total.commands += guild.commands;
		total.commandsFailed += guild.commandsFailed;
	}
	const { guildId: _guildId, ...rest } = total;
	return rest;
}
