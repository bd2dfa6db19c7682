import { sql, type Kysely, type Transaction } from 'kysely';
import { deriveFamilies, summarizeDeltas, type DerivedFamilies, type RowSet } from './deriveRows.js';
import { canonicalTimeZone, HourBucketer } from './HourBucketer.js';
import { readHourlyFloors, rollupMemberHourly, withMemberHours, type HourlyFloors, type RollupOptions, type RollupResult } from './hourlyRollup.js';
import { openStatsDatabase, type StatsDatabaseOptions } from './openStatsDatabase.js';
import { APPLIED_BATCH_META, FLUSH_SEQ_META, HOURLY_FLOOR_META, MetaStore } from './MetaStore.js';
import { StatsReports } from './StatsReports.js';
import { StatsSummaries } from './StatsSummaries.js';
import { ACTIVE_MEMBER, forChunks, lockForWrite, lockKeyFor, NOT_OPTED_OUT, upsertRows, valuesCte, type Executor } from './statsSql.js';
import { FAMILIES, TABLES, USER_FAMILIES, tableName, timeColumn, type CounterFamily, type Granularity, type StatsDialect } from './statsSchema.js';
import type { GuildSettings, IgnoredKind, MemberReportVisibility, OptOutMode, PrivacySnapshot, PruneResult, StatsDeltas } from './statsTypes.js';
import { deltaRowCount, emptyDeltas } from './statsTypes.js';
import { DAY_MS, dayOf, dayOfHour } from './timeBuckets.js';

export type StatsStoreOptions = StatsDatabaseOptions;

/** What retention prunes; `stillIn` (is the bot in this guild, fleet-wide?) guards due guild deletions. */
export interface PruneOptions {
	hourlyDays: number;
	dailyDays: number;
	now?: number;
	stillIn?: (guildId: string) => Promise<boolean>;
}

export interface ApplyResult {
	/** Delta rows handed in. */
	deltaRows: number;
	/** Delta rows dropped because their member opted out (checked inside the transaction). */
	droppedRows: number;
	/** Table rows upserted (all families, both granularities, plus bookkeeping). */
	writtenRows: number;
	statements: number;
	/** Guilds that received rows. */
	guildIds: string[];
}

type ActiveKey = [guildId: string, time: number, bot: number];
type LocalKey = [guildId: string, localDay: number, bot: number, fromHour: number, toHour: number];

const FLUSH_LOG_KEEP_MS = 2 * DAY_MS;

/**
 * The statistics store: counters in hourly and daily buckets behind one kysely query layer, on a
 * SQLite file (default) or PostgreSQL. Never stores message content: ids and counts only.
 *
 * Writes: `applyDeltas` adds deltas in ONE transaction with multi-row upserts; derived tables
 * (per member, per channel, per guild; daily as well as hourly) are maintained in the same
 * transaction, and opted-out members are filtered there, so every reader sees a consistent state.
 * Privacy, guild settings and retention change the same tables under the same write lock.
 *
 * Reads live in their own modules over the same database handle: `reports` (the /guildstats
 * queries), `summaries` (analytics windows, daily summary, totals) and `meta` (key-value markers).
 */
export class StatsStore {
	public readonly meta: MetaStore;
	public readonly reports: StatsReports;
	public readonly summaries: StatsSummaries;
	private readonly lockKey: number;
	private closed = false;

	private constructor(
		public readonly db: Kysely<any>,
		public readonly dialect: StatsDialect,
		/** PostgreSQL schema in use, null on SQLite. */
		public readonly schema: string | null
	) {
		this.lockKey = lockKeyFor(schema);
		this.meta = new MetaStore(db);
		this.reports = new StatsReports(db, dialect, () => this.hourlyFloors(), (guildId) => this.guildTimezone(guildId));
		this.summaries = new StatsSummaries(db, this.meta);
	}

	/**
	 * Opens (and migrates) the store: the SQLite file at `sqlitePath` (directory created, WAL,
	 * busy_timeout, synchronous=NORMAL), or PostgreSQL when `databaseUrl` is a postgres:// URL.
	 */
	public static async open(options: StatsStoreOptions): Promise<StatsStore> {
		const { db, dialect, schema } = await openStatsDatabase(options);
		return new StatsStore(db, dialect, schema);
	}

	public async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.db.destroy();
	}

	/*
	 * Writes.
	 */

	/** Adds the deltas in one transaction. Safe against concurrent writers (other shards) on PostgreSQL. */
	public async applyDeltas(deltas: StatsDeltas, now: number = Date.now(), options: { once?: string } = {}): Promise<ApplyResult> {
		const deltaRows = deltaRowCount(deltas);
		if (deltaRows === 0) return { deltaRows: 0, droppedRows: 0, writtenRows: 0, statements: 0, guildIds: [] };
		return this.db.transaction().execute(async (trx) => {
			await lockForWrite(trx, this.dialect, this.lockKey, false);
			let statements = 1;
			// A recovered batch: its id is recorded in the same transaction, so it is applied exactly once.
			if (options.once !== undefined) {
				const key = `${APPLIED_BATCH_META}${options.once}`;
				const seen = await sql<{ value: string }>`select value from ${sql.table(TABLES.meta)} where key = ${key}`.execute(trx);
				if (seen.rows.length > 0) return { deltaRows: 0, droppedRows: 0, writtenRows: 0, statements: 1, guildIds: [] };
				await sql`insert into ${sql.table(TABLES.meta)} (key, value) values (${key}, ${String(now)})`.execute(trx);
				statements += 2;
			}
			const users = new Set<string>();
			for (const delta of deltas.messages) users.add(delta.userId);
			for (const delta of deltas.reactions) users.add(delta.userId);
			for (const delta of deltas.voice) users.add(delta.userId);
			const optedOut = await this.optedOutAmong(trx, [...users]);
			statements += Math.ceil(users.size / 1000);
			let input = deltas;
			if (optedOut.size > 0) {
				input = {
					...deltas,
					messages: deltas.messages.filter((delta) => !optedOut.has(delta.userId)),
					reactions: deltas.reactions.filter((delta) => !optedOut.has(delta.userId)),
					voice: deltas.voice.filter((delta) => !optedOut.has(delta.userId))
				};
			}
			const droppedRows = deltaRows - deltaRowCount(input);

			const hourly = deriveFamilies(input, 'hourly', (hour) => hour);
			const daily = deriveFamilies(input, 'daily', dayOfHour);
			let writtenRows = 0;
			for (const derived of [hourly, daily]) {
				for (const set of Object.values(derived) as RowSet[]) {
					const written = await upsertRows(trx, this.dialect, set);
					statements += written.statements;
					writtenRows += written.rows;
				}
			}

			const { guilds, members, channels } = summarizeDeltas(input);
			if (members.size > 0) {
				const greatest = this.dialect === 'postgres' ? 'greatest' : 'max';
				const t = (column: string) => sql.ref(`${TABLES.memberTotals}.${column}`);
				const rows = [...members.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((entry) => entry[1]);
				statements += await forChunks(this.dialect, 8, rows, (chunk) =>
					sql`insert into ${sql.table(TABLES.memberTotals)} (guild_id, user_id, bot, last_at, voice_last_at, messages, voice_seconds, reactions_added)
						values ${sql.join(chunk.map((row) => sql`(${sql.join(row)})`))}
						on conflict (guild_id, user_id) do update set bot = excluded.bot,
							last_at = ${sql.raw(greatest)}(${t('last_at')}, excluded.last_at),
							voice_last_at = ${sql.raw(greatest)}(${t('voice_last_at')}, excluded.voice_last_at),
							messages = ${t('messages')} + excluded.messages,
							voice_seconds = ${t('voice_seconds')} + excluded.voice_seconds,
							reactions_added = ${t('reactions_added')} + excluded.reactions_added`.execute(trx)
				);
				writtenRows += rows.length;
			}

			if (channels.size > 0) {
				const greatest = this.dialect === 'postgres' ? 'greatest' : 'max';
				const t = (column: string) => sql.ref(`${TABLES.channelTotals}.${column}`);
				const rows = [...channels.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((entry) => entry[1]);
				statements += await forChunks(this.dialect, 6, rows, (chunk) =>
					sql`insert into ${sql.table(TABLES.channelTotals)} (guild_id, channel_id, last_at, messages, voice_seconds, reactions_added)
						values ${sql.join(chunk.map((row) => sql`(${sql.join(row)})`))}
						on conflict (guild_id, channel_id) do update set
							last_at = ${sql.raw(greatest)}(${t('last_at')}, excluded.last_at),
							messages = ${t('messages')} + excluded.messages,
							voice_seconds = ${t('voice_seconds')} + excluded.voice_seconds,
							reactions_added = ${t('reactions_added')} + excluded.reactions_added`.execute(trx)
				);
				writtenRows += rows.length;
			}

			const recompute = await this.recomputeActive(trx, activeKeys(hourly), activeKeys(daily));
			statements += recompute.statements;
			writtenRows += recompute.rows;

			if (guilds.size > 0) {
				const seq = await nextFlushSeq(trx);
				statements += 1;
				writtenRows += 1;
				const rows = [...guilds.entries()].map(([guildId, totals]) => [
					now,
					seq,
					guildId,
					totals.messages,
					totals.voice_seconds,
					totals.reactions,
					totals.joins,
					totals.leaves,
					totals.commands,
					totals.commands_failed
				]);
				statements += await forChunks(this.dialect, 10, rows, (chunk) =>
					sql`insert into ${sql.table(TABLES.flushLog)} (at, seq, guild_id, messages, voice_seconds, reactions, joins, leaves, commands, commands_failed)
						values ${sql.join(chunk.map((row) => sql`(${sql.join(row)})`))}`.execute(trx)
				);
				writtenRows += rows.length;
			}
			return { deltaRows, droppedRows, writtenRows, statements, guildIds: [...guilds.keys()] };
		});
	}

	private async optedOutAmong(executor: Executor, userIds: string[]): Promise<Set<string>> {
		const found = new Set<string>();
		for (let start = 0; start < userIds.length; start += 1000) {
			const chunk = userIds.slice(start, start + 1000);
			const { rows } = await sql<{ user_id: string }>`select user_id from ${sql.table(TABLES.optOuts)} where user_id in (${sql.join(chunk)})`.execute(
				executor as Kysely<any>
			);
			for (const row of rows) found.add(row.user_id);
		}
		return found;
	}

	/**
	 * Recomputes distinct active members for the given guild hours and UTC days, and for the local
	 * days (in each guild's timezone) that contain the hours. Counting happens in SQL over the member
	 * rows of one bucket, so the result is exact whatever was written before or by whom.
	 */
	private async recomputeActive(trx: Transaction<any>, allHours: ActiveKey[], days: ActiveKey[]): Promise<{ statements: number; rows: number }> {
		const hours = await withMemberHours(trx, allHours);
		let statements = allHours.length > 0 ? 1 : 0;
		const columns = [
			{ name: 'guild_id', type: 'text' },
			{ name: 't', type: 'integer' },
			{ name: 'bot', type: 'integer' }
		] as const;
		for (const [granularity, keys] of [
			['hourly', hours],
			['daily', days]
		] as const) {
			if (keys.length === 0) continue;
			const time = timeColumn(granularity);
			const guildTable = tableName(FAMILIES.guild, granularity);
			const memberTable = tableName(FAMILIES.member, granularity);
			statements += await forChunks(this.dialect, 3, keys, (chunk) =>
				sql`with ${valuesCte('d', [...columns], chunk)}
					insert into ${sql.table(guildTable)} (guild_id, ${sql.ref(time)}, bot, active_members)
					select d.guild_id, d.t, d.bot, (
						select count(*) from ${sql.table(memberTable)} as m
						where m.guild_id = d.guild_id and ${sql.ref(`m.${time}`)} = d.t and m.bot = d.bot and ${ACTIVE_MEMBER('m')} and ${NOT_OPTED_OUT('m.user_id')}
					) from d where true
					on conflict (guild_id, ${sql.ref(time)}, bot) do update set active_members = excluded.active_members`.execute(trx)
			);
		}
		const local = await this.localDayKeys(trx, hours);
		statements += await this.recomputeLocalDays(trx, local);
		return { statements, rows: hours.length + days.length + local.length };
	}

	/** The local days (in each guild's current timezone) containing the given hours. */
	private async localDayKeys(executor: Executor, hours: ActiveKey[]): Promise<LocalKey[]> {
		if (hours.length === 0) return [];
		const guildIds = [...new Set(hours.map((key) => key[0]))];
		const zones = await this.timezonesOf(executor, guildIds);
		const byZone = new Map<string, ActiveKey[]>();
		for (const key of hours) {
			const zone = zones.get(key[0]) ?? 'UTC';
			let list = byZone.get(zone);
			if (!list) byZone.set(zone, (list = []));
			list.push(key);
		}
		const out = new Map<string, LocalKey>();
		for (const [zone, keys] of byZone) {
			let min = Infinity;
			let max = -Infinity;
			for (const key of keys) {
				min = Math.min(min, key[1]);
				max = Math.max(max, key[1]);
			}
			const bucketer = new HourBucketer(zone, min, max + 1);
			for (const [guildId, hour, bot] of keys) {
				const localDay = bucketer.localDay(hour);
				const id = `${guildId}\u0001${localDay}\u0001${bot}`;
				if (out.has(id)) continue;
				const span = bucketer.localDayHours(localDay);
				out.set(id, [guildId, localDay, bot, span.from, span.to]);
			}
		}
		return [...out.values()];
	}

	private async recomputeLocalDays(executor: Executor, keys: LocalKey[]): Promise<number> {
		if (keys.length === 0) return 0;
		const columns = [
			{ name: 'guild_id', type: 'text' },
			{ name: 'local_day', type: 'integer' },
			{ name: 'bot', type: 'integer' },
			{ name: 'h0', type: 'integer' },
			{ name: 'h1', type: 'integer' }
		] as const;
		return forChunks(this.dialect, 5, keys, (chunk) =>
			sql`with ${valuesCte('d', [...columns], chunk)}
				insert into ${sql.table(TABLES.localDaily)} (guild_id, local_day, bot, active_members)
				select d.guild_id, d.local_day, d.bot, (
					select count(distinct m.user_id) from ${sql.table(tableName(FAMILIES.member, 'hourly'))} as m
					where m.guild_id = d.guild_id and m.hour >= d.h0 and m.hour < d.h1 and m.bot = d.bot and ${ACTIVE_MEMBER('m')} and ${NOT_OPTED_OUT('m.user_id')}
				) from d where true
				on conflict (guild_id, local_day, bot) do update set active_members = excluded.active_members`.execute(executor as Kysely<any>)
		);
	}

	private async timezonesOf(executor: Executor, guildIds: string[]): Promise<Map<string, string>> {
		const zones = new Map<string, string>();
		for (let start = 0; start < guildIds.length; start += 1000) {
			const chunk = guildIds.slice(start, start + 1000);
			const { rows } = await sql<{ guild_id: string; timezone: string }>`select guild_id, timezone from ${sql.table(TABLES.guildSettings)} where guild_id in (${sql.join(chunk)})`.execute(
				executor as Kysely<any>
			);
			for (const row of rows) zones.set(row.guild_id, row.timezone);
		}
		return zones;
	}

	/*
	 * Privacy: opt-outs, ignored channels, disabled guilds.
	 */

	public async loadPrivacy(): Promise<PrivacySnapshot> {
		const [optOuts, ignored, disabled] = await Promise.all([
			sql<{ user_id: string; mode: OptOutMode }>`select user_id, mode from ${sql.table(TABLES.optOuts)}`.execute(this.db),
			sql<{ guild_id: string; channel_id: string; kind: IgnoredKind }>`select guild_id, channel_id, kind from ${sql.table(TABLES.ignoredChannels)}`.execute(this.db),
			sql<{ guild_id: string }>`select guild_id from ${sql.table(TABLES.disabledGuilds)}`.execute(this.db)
		]);
		return {
			optOuts: optOuts.rows.map((row) => ({ userId: row.user_id, mode: row.mode })),
			ignoredChannels: ignored.rows.map((row) => ({ guildId: row.guild_id, channelId: row.channel_id, kind: row.kind })),
			disabledGuilds: disabled.rows.map((row) => row.guild_id)
		};
	}

	public async getOptOut(userId: string): Promise<OptOutMode | null> {
		const { rows } = await sql<{ mode: OptOutMode }>`select mode from ${sql.table(TABLES.optOuts)} where user_id = ${userId}`.execute(this.db);
		return rows[0]?.mode ?? null;
	}

	/**
	 * Opts a member out (`hide`: excluded from every report and aggregate, stored rows kept so opting
	 * back in restores them; `delete`: every stored row about them deleted too) or back in (`null`).
	 * Aggregates (per channel, per guild, active counts) are corrected in the same transaction.
	 * Returns the guilds whose figures changed.
	 */
	public async setOptOut(userId: string, mode: OptOutMode | null, at: number = Date.now()): Promise<string[]> {
		return this.db.transaction().execute(async (trx) => {
			await lockForWrite(trx, this.dialect, this.lockKey, true);
			const { rows } = await sql<{ mode: OptOutMode }>`select mode from ${sql.table(TABLES.optOuts)} where user_id = ${userId}`.execute(trx);
			const previous = rows[0]?.mode ?? null;
			if (mode === previous) return [];
			const affected = await this.userBuckets(trx, userId);
			if (mode === null) {
				await sql`delete from ${sql.table(TABLES.optOuts)} where user_id = ${userId}`.execute(trx);
				await this.adjustAggregates(trx, userId, 1);
			} else {
				await sql`insert into ${sql.table(TABLES.optOuts)} (user_id, mode, at) values (${userId}, ${mode}, ${at})
					on conflict (user_id) do update set mode = excluded.mode, at = excluded.at`.execute(trx);
				if (previous === null) await this.adjustAggregates(trx, userId, -1);
				if (mode === 'delete') await this.deleteUserRows(trx, userId);
			}
			await this.recomputeBuckets(trx, affected);
			return affected.guildIds;
		});
	}

	/**
	 * Deletes every stored row about a member, in every guild: messages, reactions given and received
	 * (as message author), voice, per-member totals and last activity. Joins/leaves and command runs
	 * are stored as anonymous counts and hold no member id.
	 */
	private async deleteUserRows(trx: Transaction<any>, userId: string): Promise<void> {
		for (const family of USER_FAMILIES) {
			for (const granularity of ['hourly', 'daily'] as const) {
				await sql`delete from ${sql.table(tableName(family, granularity))} where user_id = ${userId}`.execute(trx);
			}
		}
		await sql`delete from ${sql.table(TABLES.memberTotals)} where user_id = ${userId}`.execute(trx);
	}

	/** Every (guild, hour/day, bot) bucket where the member has activity rows. */
	private async userBuckets(executor: Executor, userId: string): Promise<{ hours: ActiveKey[]; days: ActiveKey[]; guildIds: string[] }> {
		const load = async (granularity: Granularity) => {
			const time = timeColumn(granularity);
			const { rows } = await sql<{ guild_id: string; t: number; bot: number }>`select guild_id, ${sql.ref(time)} as t, bot from ${sql.table(tableName(FAMILIES.member, granularity))} where user_id = ${userId}`.execute(
				executor as Kysely<any>
			);
			return rows.map((row): ActiveKey => [row.guild_id, Number(row.t), Number(row.bot)]);
		};
		const hours = await load('hourly');
		const days = await load('daily');
		return { hours, days, guildIds: [...new Set([...hours, ...days].map((key) => key[0]))] };
	}

	private async recomputeBuckets(trx: Transaction<any>, buckets: { hours: ActiveKey[]; days: ActiveKey[] }): Promise<void> {
		await this.recomputeActive(trx, buckets.hours, buckets.days);
	}

	/**
	 * Adds (`sign = 1`) or removes (`-1`) a member's stored contribution to the per-channel and
	 * per-guild aggregates, from their detail rows at each granularity.
	 */
	private async adjustAggregates(trx: Transaction<any>, userId: string, sign: 1 | -1): Promise<void> {
		for (const granularity of ['hourly', 'daily'] as const) {
			const time = timeColumn(granularity);
			const deltas = emptyDeltas();
			const messages = await sql<{ guild_id: string; t: number; channel_id: string; thread_id: string; bot: number; messages: number }>`
				select guild_id, ${sql.ref(time)} as t, channel_id, thread_id, bot, messages from ${sql.table(tableName(FAMILIES.message, granularity))} where user_id = ${userId}`.execute(trx);
			for (const row of messages.rows) {
				deltas.messages.push({ guildId: row.guild_id, channelId: row.channel_id, threadId: row.thread_id, userId, hour: Number(row.t), bot: Number(row.bot) === 1, messages: Number(row.messages), lastAt: 0 });
			}
			const reactions = await sql<{ guild_id: string; t: number; channel_id: string; bot: number; given: number; received: number }>`
				select guild_id, ${sql.ref(time)} as t, channel_id, bot, given, received from ${sql.table(tableName(FAMILIES.reaction, granularity))} where user_id = ${userId}`.execute(trx);
			for (const row of reactions.rows) {
				deltas.reactions.push({ guildId: row.guild_id, channelId: row.channel_id, userId, hour: Number(row.t), bot: Number(row.bot) === 1, given: Number(row.given), received: Number(row.received), added: 0, lastAt: 0 });
			}
			const voice = await sql<{ guild_id: string; t: number; channel_id: string; bot: number; seconds: number; muted_seconds: number; deafened_seconds: number; streaming_seconds: number; sessions: number }>`
				select guild_id, ${sql.ref(time)} as t, channel_id, bot, seconds, muted_seconds, deafened_seconds, streaming_seconds, sessions from ${sql.table(tableName(FAMILIES.voice, granularity))} where user_id = ${userId}`.execute(trx);
			for (const row of voice.rows) {
				deltas.voice.push({
					guildId: row.guild_id,
					channelId: row.channel_id,
					userId,
					hour: Number(row.t),
					bot: Number(row.bot) === 1,
					seconds: Number(row.seconds),
					mutedSeconds: Number(row.muted_seconds),
					deafenedSeconds: Number(row.deafened_seconds),
					streamingSeconds: Number(row.streaming_seconds),
					sessions: Number(row.sessions),
					lastAt: 0
				});
			}
			const derived: DerivedFamilies = deriveFamilies(deltas, granularity, (t) => t, sign);
			await upsertRows(trx, this.dialect, derived.channel);
			await upsertRows(trx, this.dialect, derived.guild);
		}
	}

	/** Ignores (stops capturing) a channel or a whole category, or un-ignores it (`kind = null`). Stored data is kept. */
	public async setChannelIgnored(guildId: string, channelId: string, kind: IgnoredKind | null, at: number = Date.now()): Promise<void> {
		if (kind === null) {
			await sql`delete from ${sql.table(TABLES.ignoredChannels)} where guild_id = ${guildId} and channel_id = ${channelId}`.execute(this.db);
			return;
		}
		await sql`insert into ${sql.table(TABLES.ignoredChannels)} (guild_id, channel_id, kind, at) values (${guildId}, ${channelId}, ${kind}, ${at})
			on conflict (guild_id, channel_id) do update set kind = excluded.kind, at = excluded.at`.execute(this.db);
	}

	public async setGuildDisabled(guildId: string, disabled: boolean, at: number = Date.now()): Promise<void> {
		if (!disabled) {
			await sql`delete from ${sql.table(TABLES.disabledGuilds)} where guild_id = ${guildId}`.execute(this.db);
			return;
		}
		await sql`insert into ${sql.table(TABLES.disabledGuilds)} (guild_id, at) values (${guildId}, ${at}) on conflict (guild_id) do nothing`.execute(this.db);
	}

	/**
	 * Deletes every statistic of a guild. With `settings: true` (the bot left and the grace period
	 * passed) also its timezone, ignore list, disabled flag and deletion schedule.
	 */
	public async purgeGuild(guildId: string, options: { settings?: boolean } = {}): Promise<void> {
		await this.db.transaction().execute(async (trx) => {
			await lockForWrite(trx, this.dialect, this.lockKey, true);
			for (const family of Object.values(FAMILIES) as CounterFamily[]) {
				for (const granularity of ['hourly', 'daily'] as const) {
					await sql`delete from ${sql.table(tableName(family, granularity))} where guild_id = ${guildId}`.execute(trx);
				}
			}
			for (const table of [TABLES.localDaily, TABLES.memberTotals, TABLES.channelTotals, TABLES.flushLog]) {
				await sql`delete from ${sql.table(table)} where guild_id = ${guildId}`.execute(trx);
			}
			if (options.settings) {
				for (const table of [TABLES.guildSettings, TABLES.ignoredChannels, TABLES.disabledGuilds, TABLES.guildDeletions]) {
					await sql`delete from ${sql.table(table)} where guild_id = ${guildId}`.execute(trx);
				}
			}
		});
	}

	/** Schedules the guild's data for deletion at `at` (the bot left); `prune` carries it out. */
	public async scheduleGuildDeletion(guildId: string, at: number): Promise<void> {
		await sql`insert into ${sql.table(TABLES.guildDeletions)} (guild_id, delete_at) values (${guildId}, ${at})
			on conflict (guild_id) do update set delete_at = excluded.delete_at`.execute(this.db);
	}

	/** The bot rejoined: keep the data. */
	public async cancelGuildDeletion(guildId: string): Promise<void> {
		await sql`delete from ${sql.table(TABLES.guildDeletions)} where guild_id = ${guildId}`.execute(this.db);
	}

	/** Guilds whose data is scheduled for deletion (few: only guilds the bot left within the grace period). */
	public async pendingGuildDeletions(): Promise<string[]> {
		const { rows } = await sql<{ guild_id: string }>`select guild_id from ${sql.table(TABLES.guildDeletions)}`.execute(this.db);
		return rows.map((row) => row.guild_id);
	}

	/*
	 * Guild settings.
	 */

	/** Sets the guild's IANA timezone (validated) and recounts its local-day active members. */
	public async setGuildTimezone(guildId: string, timeZone: string): Promise<string> {
		const zone = canonicalTimeZone(timeZone);
		await this.db.transaction().execute(async (trx) => {
			await lockForWrite(trx, this.dialect, this.lockKey, false);
			await sql`insert into ${sql.table(TABLES.guildSettings)} (guild_id, timezone) values (${guildId}, ${zone})
				on conflict (guild_id) do update set timezone = excluded.timezone`.execute(trx);
			const { rows } = await sql<{ hour: number; bot: number }>`select distinct hour, bot from ${sql.table(tableName(FAMILIES.member, 'hourly'))} where guild_id = ${guildId}`.execute(trx);
			if (rows.length === 0) return;
			// Days still held hourly are recounted in the new zone; older ones keep their counts (old zone).
			const firstLocalDay = Math.floor(Math.min(...rows.map((row) => Number(row.hour))) / 24) - 1;
			await sql`delete from ${sql.table(TABLES.localDaily)} where guild_id = ${guildId} and local_day >= ${firstLocalDay}`.execute(trx);
			const keys = await this.localDayKeys(trx, rows.map((row): ActiveKey => [guildId, Number(row.hour), Number(row.bot)]));
			await this.recomputeLocalDays(trx, keys);
		});
		return zone;
	}

	public async setMemberReportVisibility(guildId: string, visibility: MemberReportVisibility): Promise<void> {
		await sql`insert into ${sql.table(TABLES.guildSettings)} (guild_id, member_reports) values (${guildId}, ${visibility})
			on conflict (guild_id) do update set member_reports = excluded.member_reports`.execute(this.db);
	}

	public async memberReportVisibility(guildId: string): Promise<MemberReportVisibility> {
		const { rows } = await sql<{ member_reports: MemberReportVisibility }>`select member_reports from ${sql.table(TABLES.guildSettings)} where guild_id = ${guildId}`.execute(this.db);
		return rows[0]?.member_reports ?? 'everyone';
	}

	public async guildTimezone(guildId: string): Promise<string> {
		const { rows } = await sql<{ timezone: string }>`select timezone from ${sql.table(TABLES.guildSettings)} where guild_id = ${guildId}`.execute(this.db);
		return rows[0]?.timezone ?? 'UTC';
	}

	public async getGuildSettings(guildId: string): Promise<GuildSettings> {
		const [timezone, memberReports, disabled, ignored, deletion] = await Promise.all([
			this.guildTimezone(guildId),
			this.memberReportVisibility(guildId),
			sql<{ guild_id: string }>`select guild_id from ${sql.table(TABLES.disabledGuilds)} where guild_id = ${guildId}`.execute(this.db),
			sql<{ channel_id: string; kind: IgnoredKind }>`select channel_id, kind from ${sql.table(TABLES.ignoredChannels)} where guild_id = ${guildId} order by channel_id`.execute(this.db),
			sql<{ delete_at: number }>`select delete_at from ${sql.table(TABLES.guildDeletions)} where guild_id = ${guildId}`.execute(this.db)
		]);
		return {
			guildId,
			timezone,
			memberReports,
			enabled: disabled.rows.length === 0,
			ignored: ignored.rows.map((row) => ({ channelId: row.channel_id, kind: row.kind })),
			deletionAt: deletion.rows[0] ? Number(deletion.rows[0].delete_at) : null
		};
	}

	/** First hour still held in the hourly tables (older hours live in the daily tables only). */
	public async floorHour(): Promise<number> {
		return Number((await this.meta.get(HOURLY_FLOOR_META)) ?? 0);
	}

	/** Both hourly floors: every hourly table, and the per-member ones (hourlyRollup.ts). */
	public hourlyFloors(): Promise<HourlyFloors> {
		return readHourlyFloors(this.db);
	}

	/*
	 * Retention.
	 */

	/** Keeps per-member hourly rows only `memberHourlyDays` (hourlyRollup.ts); idempotent, fleet-safe. */
	public rollupMemberHourly(options: RollupOptions): Promise<RollupResult> {
		return rollupMemberHourly(this.db, this.dialect, this.schema, options);
	}

	/**
	 * Applies retention. Daily rows are written together with hourly rows at flush time (the
	 * rollup happens on write), so the hourly rows past `hourlyDays` are already summed in the daily
	 * tables and are simply deleted; daily rows past `dailyDays` are deleted; guilds whose deletion
	 * date passed are purged, unless `stillIn` says the bot is in the guild again (then the deletion
	 * is cancelled) or cannot tell (rejects: the guild waits for the next run). Cut-offs are whole
	 * UTC days. Idempotent.
	 */
	public async prune(options: PruneOptions): Promise<PruneResult> {
		const now = options.now ?? Date.now();
		const today = dayOf(now);
		const hourlyFloor = (today - options.hourlyDays) * 24;
		const dailyFloor = today - options.dailyDays;
		let hourlyRows = 0;
		let dailyRows = 0;
		await this.db.transaction().execute(async (trx) => {
			await lockForWrite(trx, this.dialect, this.lockKey, true);
			for (const family of Object.values(FAMILIES) as CounterFamily[]) {
				const hourly = await sql`delete from ${sql.table(tableName(family, 'hourly'))} where hour < ${hourlyFloor}`.execute(trx);
				hourlyRows += Number(hourly.numAffectedRows ?? 0);
				const daily = await sql`delete from ${sql.table(tableName(family, 'daily'))} where day < ${dailyFloor}`.execute(trx);
				dailyRows += Number(daily.numAffectedRows ?? 0);
			}
			const local = await sql`delete from ${sql.table(TABLES.localDaily)} where local_day < ${dailyFloor}`.execute(trx);
			dailyRows += Number(local.numAffectedRows ?? 0);
			await sql`delete from ${sql.table(TABLES.memberTotals)} where last_at < ${dailyFloor * DAY_MS}`.execute(trx);
			await sql`delete from ${sql.table(TABLES.channelTotals)} where last_at < ${dailyFloor * DAY_MS}`.execute(trx);
			await sql`delete from ${sql.table(TABLES.flushLog)} where at < ${now - FLUSH_LOG_KEEP_MS}`.execute(trx);
			const { rows } = await sql<{ value: string }>`select value from ${sql.table(TABLES.meta)} where key = ${HOURLY_FLOOR_META}`.execute(trx);
			const floor = Math.max(Number(rows[0]?.value ?? 0), hourlyFloor);
			await sql`insert into ${sql.table(TABLES.meta)} (key, value) values (${HOURLY_FLOOR_META}, ${String(floor)}) on conflict (key) do update set value = excluded.value`.execute(trx);
		});
		const due = await sql<{ guild_id: string }>`select guild_id from ${sql.table(TABLES.guildDeletions)} where delete_at <= ${now}`.execute(this.db);
		const guildsPurged: string[] = [];
		for (const { guild_id: guildId } of due.rows) {
			if (options.stillIn) {
				// The bot is in the guild again (a missed cancellation): keep it. Unknown (Discord unreachable): next run.
				const present = await options.stillIn(guildId).catch(() => undefined);
				if (present === undefined) continue;
				if (present) {
					await this.cancelGuildDeletion(guildId);
					continue;
				}
			}
			await this.purgeGuild(guildId, { settings: true });
			guildsPurged.push(guildId);
		}
		return { hourlyRows, dailyRows, guildsPurged };
	}
}

function activeKeys(derived: DerivedFamilies): ActiveKey[] {
	// Member rows: [guild_id, time, user_id, bot, ...sums]
	const keys = new Map<string, ActiveKey>();
	for (const row of derived.member.rows.values()) {
		const key: ActiveKey = [row[0] as string, row[1] as number, row[3] as number];
		keys.set(`${key[0]}\u0001${key[1]}\u0001${key[2]}`, key);
	}
	return [...keys.values()];
}

/**
 * Takes the next flush sequence number inside a flush's transaction. The counter row stays locked
 * until the transaction ends (PostgreSQL row lock; SQLite has one writer anyway), so flushes commit
 * in sequence order: whoever reads the counter sees every flush up to it. Called last in the
 * transaction to keep that lock short.
 */
async function nextFlushSeq(trx: Transaction<any>): Promise<number> {
	const { rows } = await sql<{ value: string }>`insert into ${sql.table(TABLES.meta)} (key, value) values (${FLUSH_SEQ_META}, '1')
		on conflict (key) do update set value = cast(cast(${sql.ref(`${TABLES.meta}.value`)} as bigint) + 1 as text) returning value`.execute(trx);
	return Number(rows[0]!.value);
}
