import { sql, type Kysely, type Migration } from 'kysely';
import { liveStatsMigration } from '#lib/live/liveSchema.js';

export type StatsDialect = 'sqlite' | 'postgres';
export type Granularity = 'hourly' | 'daily';

/**
 * One family of counter tables, stored twice: `stats_<family>_hourly` keyed by `hour` and
 * `stats_<family>_daily` keyed by `day` (UTC epoch hour/day numbers). Flushes add every delta to
 * both granularities in the same transaction, so the daily table is always complete: long ranges
 * read whole days from it, and retention only has to delete hourly rows past their window.
 *
 * The primary key is (guild_id, <time>, ...rest of keys), which is also the access path of every
 * report (one guild, a time range). `flags` are non-key attributes of the row (the member's bot
 * flag); `sums` are the counters that upserts add to.
 */
export interface CounterFamily {
	family: string;
	keys: readonly string[];
	flags: readonly string[];
	sums: readonly string[];
	/** Columns recomputed rather than added (never written by upserts). */
	computed?: readonly string[];
	/** (user_id, guild_id, time): per-member reports and deleting a member's data in every guild. */
	userIndex?: boolean;
	/** (guild_id, channel_id, time): per-channel reports. */
	channelIndex?: boolean;
	/** (guild_id, thread_id, time) where thread_id <> '': per-thread reports. */
	threadIndex?: boolean;
}

export const FAMILIES = {
	message: { family: 'message', keys: ['guild_id', 'channel_id', 'thread_id', 'user_id'], flags: ['bot'], sums: ['messages'], userIndex: true, channelIndex: true, threadIndex: true },
	reaction: { family: 'reaction', keys: ['guild_id', 'channel_id', 'user_id'], flags: ['bot'], sums: ['given', 'received'], userIndex: true, channelIndex: true },
	voice: {
		family: 'voice',
		keys: ['guild_id', 'channel_id', 'user_id'],
		flags: ['bot'],
		sums: ['seconds', 'muted_seconds', 'deafened_seconds', 'streaming_seconds', 'sessions'],
		userIndex: true,
		channelIndex: true
	},
	/** Per member per guild, all channels together (derived from the three above at flush). */
	member: { family: 'member', keys: ['guild_id', 'user_id'], flags: ['bot'], sums: ['messages', 'voice_seconds', 'reactions_given', 'reactions_received'], userIndex: true },
	/** Per channel, all members together; excludes opted-out members. */
	channel: { family: 'channel', keys: ['guild_id', 'channel_id', 'bot'], flags: [], sums: ['messages', 'voice_seconds', 'reactions'], channelIndex: true },
	/** Per guild (split humans/bots); excludes opted-out members; also member joins/leaves. */
	guild: {
		family: 'guild',
		keys: ['guild_id', 'bot'],
		flags: [],
		sums: ['messages', 'voice_seconds', 'voice_muted_seconds', 'voice_deafened_seconds', 'voice_streaming_seconds', 'voice_sessions', 'reactions', 'joins', 'leaves'],
		computed: ['active_members']
	},
	command: { family: 'command', keys: ['guild_id', 'command'], flags: [], sums: ['ok', 'failed', 'duration_ms'] },
	botGuild: { family: 'bot_guild', keys: ['guild_id'], flags: [], sums: ['joins', 'leaves'] }
} as const satisfies Record<string, CounterFamily>;

export type FamilyName = keyof typeof FAMILIES;

export const timeColumn = (granularity: Granularity): 'hour' | 'day' => (granularity === 'hourly' ? 'hour' : 'day');
export const tableName = (family: CounterFamily, granularity: Granularity): string => `stats_${family.family}_${granularity}`;

/** Families whose rows are about one member (deleted by a 'delete' opt-out). */
export const USER_FAMILIES: readonly CounterFamily[] = [FAMILIES.message, FAMILIES.reaction, FAMILIES.voice, FAMILIES.member];

export const TABLES = {
	/** Distinct active members per local day in the guild's timezone at flush time. */
	localDaily: 'stats_guild_local_daily',
	/**
	 * Per member per guild: last activity (exact "active members since T" with one index range) and
	 * all-time sums (upper bounds that let top-member queries rank a few candidates instead of
	 * grouping every member row of the range).
	 */
	memberTotals: 'stats_member_totals',
	/** Per channel per guild: last activity and all-time sums (upper bounds for top-channel queries). */
	channelTotals: 'stats_channel_totals',
	/** Per-guild totals of each flush, for the rolling analytics report (pruned after 2 days). */
	flushLog: 'stats_flush_log',
	optOuts: 'privacy_optouts',
	ignoredChannels: 'privacy_ignored_channels',
	disabledGuilds: 'privacy_disabled_guilds',
	guildSettings: 'guild_settings',
	guildDeletions: 'guild_deletions',
	meta: 'stats_meta'
} as const;

/** Every table the store owns (for purge and tests). */
export function allTables(): string[] {
	const counters = Object.values(FAMILIES).flatMap((family) => [tableName(family, 'hourly'), tableName(family, 'daily')]);
	return [...counters, ...Object.values(TABLES)];
}

function createCounterTables(db: Kysely<any>, dialect: StatsDialect, family: CounterFamily) {
	const statements = [];
	for (const granularity of ['hourly', 'daily'] as const) {
		const table = tableName(family, granularity);
		const time = timeColumn(granularity);
		let builder = db.schema.createTable(table).addColumn('guild_id', 'text', (column) => column.notNull()).addColumn(time, 'integer', (column) => column.notNull());
		for (const key of family.keys) {
			if (key === 'guild_id') continue;
			builder = builder.addColumn(key, key === 'bot' ? 'integer' : 'text', (column) => column.notNull());
		}
		for (const flag of family.flags) builder = builder.addColumn(flag, 'integer', (column) => column.notNull().defaultTo(0));
		for (const sum of [...family.sums, ...(family.computed ?? [])]) builder = builder.addColumn(sum, 'bigint', (column) => column.notNull().defaultTo(0));
		const primaryKey = ['guild_id', time, ...family.keys.filter((key) => key !== 'guild_id')];
		builder = builder.addPrimaryKeyConstraint(`${table}_pk`, primaryKey as any);
		// Clustered on the primary key in SQLite: a guild's time range is one contiguous b-tree range.
		if (dialect === 'sqlite') builder = builder.modifyEnd(sql`without rowid`);
		statements.push(builder);
		if (family.userIndex) statements.push(db.schema.createIndex(`${table}_user`).on(table).columns(['user_id', 'guild_id', time]));
		if (family.channelIndex) statements.push(db.schema.createIndex(`${table}_channel`).on(table).columns(['guild_id', 'channel_id', time]));
		if (family.threadIndex) {
			statements.push(db.schema.createIndex(`${table}_thread`).on(table).columns(['guild_id', 'thread_id', time]).where(sql.ref('thread_id'), '<>', ''));
		}
	}
	return statements;
}

/** Migrations defined in code (kysely Migrator with a static provider); DDL differs per dialect only where noted. */
export function statsMigrations(dialect: StatsDialect): Record<string, Migration> {
	return {
		'0001_stats_schema': {
			async up(db: Kysely<any>) {
				for (const family of Object.values(FAMILIES)) {
					for (const statement of createCounterTables(db, dialect, family)) await statement.execute();
				}
				// Daily summary counts distinct members across all guilds for one day.
				await db.schema.createIndex('stats_member_daily_day').on('stats_member_daily').columns(['day', 'user_id']).execute();

				let localDaily = db.schema
					.createTable(TABLES.localDaily)
					.addColumn('guild_id', 'text', (column) => column.notNull())
					.addColumn('local_day', 'integer', (column) => column.notNull())
					.addColumn('bot', 'integer', (column) => column.notNull())
					.addColumn('active_members', 'bigint', (column) => column.notNull().defaultTo(0))
					.addPrimaryKeyConstraint(`${TABLES.localDaily}_pk`, ['guild_id', 'local_day', 'bot']);
				if (dialect === 'sqlite') localDaily = localDaily.modifyEnd(sql`without rowid`);
				await localDaily.execute();

				await db.schema
					.createTable(TABLES.memberTotals)
					.addColumn('guild_id', 'text', (column) => column.notNull())
					.addColumn('user_id', 'text', (column) => column.notNull())
					.addColumn('bot', 'integer', (column) => column.notNull().defaultTo(0))
					// Epoch ms of the latest activity (message, voice, reaction added) and of the latest voice second.
					.addColumn('last_at', 'bigint', (column) => column.notNull().defaultTo(0))
					.addColumn('voice_last_at', 'bigint', (column) => column.notNull().defaultTo(0))
					.addColumn('messages', 'bigint', (column) => column.notNull().defaultTo(0))
					.addColumn('voice_seconds', 'bigint', (column) => column.notNull().defaultTo(0))
					// Reactions added, removals not subtracted: an upper bound for any range's net reactions.
					.addColumn('reactions_added', 'bigint', (column) => column.notNull().defaultTo(0))
					.addPrimaryKeyConstraint(`${TABLES.memberTotals}_pk`, ['guild_id', 'user_id'])
					.execute();
				await db.schema.createIndex(`${TABLES.memberTotals}_recent`).on(TABLES.memberTotals).columns(['guild_id', 'last_at']).execute();
				await db.schema.createIndex(`${TABLES.memberTotals}_voice`).on(TABLES.memberTotals).columns(['guild_id', 'voice_last_at']).execute();
				await db.schema.createIndex(`${TABLES.memberTotals}_user`).on(TABLES.memberTotals).columns(['user_id']).execute();
				await db.schema.createIndex(`${TABLES.memberTotals}_at`).on(TABLES.memberTotals).columns(['last_at']).execute();

				await db.schema
					.createTable(TABLES.channelTotals)
					.addColumn('guild_id', 'text', (column) => column.notNull())
					.addColumn('channel_id', 'text', (column) => column.notNull())
					.addColumn('last_at', 'bigint', (column) => column.notNull().defaultTo(0))
					.addColumn('messages', 'bigint', (column) => column.notNull().defaultTo(0))
					.addColumn('voice_seconds', 'bigint', (column) => column.notNull().defaultTo(0))
					.addColumn('reactions_added', 'bigint', (column) => column.notNull().defaultTo(0))
					.addPrimaryKeyConstraint(`${TABLES.channelTotals}_pk`, ['guild_id', 'channel_id'])
					.execute();
				await db.schema.createIndex(`${TABLES.channelTotals}_recent`).on(TABLES.channelTotals).columns(['guild_id', 'last_at']).execute();

				let flushLog = db.schema.createTable(TABLES.flushLog).addColumn('at', 'bigint', (column) => column.notNull()).addColumn('guild_id', 'text', (column) => column.notNull());
				for (const column of ['messages', 'voice_seconds', 'reactions', 'joins', 'leaves', 'commands', 'commands_failed']) {
					flushLog = flushLog.addColumn(column, 'bigint', (builder) => builder.notNull().defaultTo(0));
				}
				await flushLog.execute();
				await db.schema.createIndex(`${TABLES.flushLog}_at`).on(TABLES.flushLog).columns(['at']).execute();
				await db.schema.createIndex(`${TABLES.flushLog}_guild`).on(TABLES.flushLog).columns(['guild_id', 'at']).execute();

				await db.schema
					.createTable(TABLES.optOuts)
					.addColumn('user_id', 'text', (column) => column.primaryKey())
					.addColumn('mode', 'text', (column) => column.notNull().check(sql`mode in ('hide', 'delete')`))
					.addColumn('at', 'bigint', (column) => column.notNull())
					.execute();
				await db.schema
					.createTable(TABLES.ignoredChannels)
					.addColumn('guild_id', 'text', (column) => column.notNull())
					.addColumn('channel_id', 'text', (column) => column.notNull())
					.addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in ('channel', 'category')`))
					.addColumn('at', 'bigint', (column) => column.notNull())
					.addPrimaryKeyConstraint(`${TABLES.ignoredChannels}_pk`, ['guild_id', 'channel_id'])
					.execute();
				await db.schema
					.createTable(TABLES.disabledGuilds)
					.addColumn('guild_id', 'text', (column) => column.primaryKey())
					.addColumn('at', 'bigint', (column) => column.notNull())
					.execute();
				await db.schema
					.createTable(TABLES.guildSettings)
					.addColumn('guild_id', 'text', (column) => column.primaryKey())
					.addColumn('timezone', 'text', (column) => column.notNull().defaultTo('UTC'))
					.execute();
				await db.schema
					.createTable(TABLES.guildDeletions)
					.addColumn('guild_id', 'text', (column) => column.primaryKey())
					.addColumn('delete_at', 'bigint', (column) => column.notNull())
					.execute();
				await db.schema.createIndex(`${TABLES.guildDeletions}_at`).on(TABLES.guildDeletions).columns(['delete_at']).execute();
				await db.schema
					.createTable(TABLES.meta)
					.addColumn('key', 'text', (column) => column.primaryKey())
					.addColumn('value', 'text', (column) => column.notNull())
					.execute();
			},
			async down(db: Kysely<any>) {
				for (const table of allTables().reverse()) await db.schema.dropTable(table).ifExists().execute();
			}
		},
		'0002_live_messages_and_counters': liveStatsMigration,
		/** Who may open another member's report in a guild (`/guildstats settings visibility`). */
		'0003_member_report_visibility': {
			async up(db: Kysely<any>) {
				await db.schema
					.alterTable(TABLES.guildSettings)
					.addColumn('member_reports', 'text', (column) => column.notNull().defaultTo('everyone').check(sql`member_reports in ('everyone', 'self_and_admins')`))
					.execute();
			},
			async down(db: Kysely<any>) {
				await db.schema.alterTable(TABLES.guildSettings).dropColumn('member_reports').execute();
			}
		},
		// Analytics windows take flushes by commit order, not by their timestamp (a flush stamped
		// before a window's end may commit after the window was read). Older rows keep seq 0.
		'0004_flush_log_seq': {
			async up(db: Kysely<any>) {
				await db.schema.alterTable(TABLES.flushLog).addColumn('seq', 'bigint', (column) => column.notNull().defaultTo(0)).execute();
				await db.schema.createIndex(`${TABLES.flushLog}_seq`).on(TABLES.flushLog).columns(['seq']).execute();
			},
			async down(db: Kysely<any>) {
				await db.schema.dropIndex(`${TABLES.flushLog}_seq`).ifExists().execute();
				await db.schema.alterTable(TABLES.flushLog).dropColumn('seq').execute();
			}
		}
	};
}
