import { sql, type Kysely } from 'kysely';
import { lockForWrite, lockKeyFor } from './statsSql.js';
import { FAMILIES, TABLES, tableName, type CounterFamily, type StatsDialect } from './statsSchema.js';
import { dayOf, planRange, type RangePlan, type TimeRange } from './timeBuckets.js';

/*
 * Bounded hourly storage for per-member rows. Per-member hourly rows (members x channels x hours)
 * are by far the largest tables of a busy guild, yet only hour-bucketed reports (ranges up to 7
 * days, plus their previous period) need them. Daily rows are written in the same transaction as
 * hourly ones, so the per-member daily tables already hold every hour's counts: "rolling up" an
 * old hour is deleting its per-member hourly rows once readers stop looking at them.
 *
 * Per-guild and per-channel hourly rows (few: one per guild or channel and hour) stay for
 * RETENTION_HOURLY_DAYS: the activity heatmap and day-bucketed series read them.
 *
 * Order (crash- and fleet-safe): first the floor is raised (stats_meta, never lowered), so every
 * report reads days before it from the daily tables; then the rows below it are deleted in
 * bounded batches, each its own short transaction, and only then the "done" mark is raised. A
 * crash in between leaves rows no report reads; the next run deletes them. Two shards running it
 * at once delete the same rows (a no-op for the second) and add nothing, so nothing is counted twice.
 */

/** The per-member families whose hourly rows are kept only STATS_MEMBER_HOURLY_DAYS. */
export const PER_MEMBER_FAMILIES: readonly CounterFamily[] = [FAMILIES.message, FAMILIES.reaction, FAMILIES.voice, FAMILIES.member];

const PER_MEMBER = new Set<string>(PER_MEMBER_FAMILIES.map((family) => family.family));
export const isPerMemberFamily = (family: CounterFamily): boolean => PER_MEMBER.has(family.family);

/** stats_meta: first hour whose per-member hourly rows reports read (older ones: daily rows). */
export const MEMBER_HOURLY_FLOOR_META = 'member_hourly_floor_hour';
/** stats_meta: per-member hourly rows before this hour are deleted. */
export const MEMBER_HOURLY_DONE_META = 'member_hourly_done_hour';
/** The prune floor of every hourly table (StatsStore.prune). */
const HOURLY_FLOOR_META = 'hourly_floor_hour';

/** Rows per delete statement (and transaction). */
export const ROLLUP_BATCH_ROWS = 10_000;
/** Guild ids per delete statement. */
const GUILDS_PER_STATEMENT = 200;

export interface HourlyFloors {
	/** First hour held in every hourly table (older: daily only). */
	hour: number;
	/** First hour held in the per-member hourly tables; never below `hour`. */
	memberHour: number;
}

/** Both floors in one read. */
export async function readHourlyFloors(db: Kysely<any>): Promise<HourlyFloors> {
	const { rows } = await sql<{ key: string; value: string }>`select key, value from ${sql.table(TABLES.meta)}
		where key in (${HOURLY_FLOOR_META}, ${MEMBER_HOURLY_FLOOR_META})`.execute(db);
	const of = (key: string) => Number(rows.find((row) => row.key === key)?.value ?? 0);
	const hour = of(HOURLY_FLOOR_META);
	return { hour, memberHour: Math.max(hour, of(MEMBER_HOURLY_FLOOR_META)) };
}

/** A range plan for the per-guild/channel tables, with `member`: the plan for the per-member ones. */
export type FloorsPlan = RangePlan & { member: RangePlan };

export function planWithFloors(range: TimeRange, floors: HourlyFloors): FloorsPlan {
	return { ...planRange(range, floors.hour), member: planRange(range, floors.memberHour) };
}

/** The plan to read `family` with. */
export function planFor(family: CounterFamily, plan: RangePlan & { member?: RangePlan }): RangePlan {
	return plan.member && isPerMemberFamily(family) ? plan.member : plan;
}

/**
 * The keys whose hour still has its per-member hourly rows: a bucket's active-member count is
 * recounted from them, so older hours (a late batch from the recovery journal, an opt-out during
 * a rollup) keep the count made while their rows existed.
 */
export async function withMemberHours<T extends readonly [string, number, ...unknown[]]>(executor: Pick<Kysely<any>, 'executeQuery'>, keys: T[]): Promise<T[]> {
	if (keys.length === 0) return keys;
	const { rows } = await sql<{ value: string }>`select value from ${sql.table(TABLES.meta)} where key = ${MEMBER_HOURLY_FLOOR_META}`.execute(executor as Kysely<any>);
	const floor = Number(rows[0]?.value ?? 0);
	return floor > 0 ? keys.filter((key) => key[1] >= floor) : keys;
}

export interface RollupOptions {
	/** STATS_MEMBER_HOURLY_DAYS: whole UTC days of per-member hourly rows to keep. */
	memberHourlyDays: number;
	now?: number;
	batchRows?: number;
}

export interface RollupResult {
	/** The per-member hourly floor after the run (UTC epoch hour). */
	floorHour: number;
	/** Per-member hourly rows deleted (already counted in the daily rows). */
	rows: number;
	statements: number;
	ms: number;
}

async function setMetaMax(db: Kysely<any>, dialect: StatsDialect, key: string, value: number): Promise<number> {
	const greatest = dialect === 'postgres' ? 'greatest' : 'max';
	const { rows } = await sql<{ value: string }>`insert into ${sql.table(TABLES.meta)} (key, value) values (${key}, ${String(value)})
		on conflict (key) do update set value = cast(${sql.raw(greatest)}(cast(${sql.ref(`${TABLES.meta}.value`)} as bigint), cast(excluded.value as bigint)) as text)
		returning value`.execute(db);
	return Number(rows[0]!.value);
}

async function getMetaNumber(db: Kysely<any>, key: string): Promise<number> {
	const { rows } = await sql<{ value: string }>`select value from ${sql.table(TABLES.meta)} where key = ${key}`.execute(db);
	return Number(rows[0]?.value ?? 0);
}

/**
 * Distinct guild ids of an hourly table (primary key (guild_id, hour, ...)) with each one's first
 * hour: a few index probes per guild, never a scan.
 */
async function guildsOf(db: Kysely<any>, table: string): Promise<{ guildId: string; firstHour: number }[]> {
	const t = sql.table(table);
	const { rows } = await sql<{ id: string; first: number }>`
		with recursive g(id) as (
			select min(guild_id) from ${t}
			union all
			select (select min(guild_id) from ${t} where guild_id > g.id) from g where g.id is not null
		) select g.id, (select min(hour) from ${t} where guild_id = g.id) as first from g where g.id is not null`.execute(db);
	return rows.map((row) => ({ guildId: String(row.id), firstHour: Number(row.first) }));
}

/**
 * Raises the per-member hourly floor to `memberHourlyDays` whole UTC days before today and deletes
 * the per-member hourly rows below it, ROLLUP_BATCH_ROWS per transaction. Idempotent.
 */
export async function rollupMemberHourly(db: Kysely<any>, dialect: StatsDialect, schema: string | null, options: RollupOptions): Promise<RollupResult> {
	const began = performance.now();
	const now = options.now ?? Date.now();
	const batch = Math.max(1, options.batchRows ?? ROLLUP_BATCH_ROWS);
	const lockKey = lockKeyFor(schema);
	const target = (dayOf(now) - Math.max(1, Math.floor(options.memberHourlyDays))) * 24;
	// 1. Readers switch to daily rows before any hourly row goes.
	const floor = await setMetaMax(db, dialect, MEMBER_HOURLY_FLOOR_META, target);
	let statements = 2;
	const done = await getMetaNumber(db, MEMBER_HOURLY_DONE_META);
	if (done >= floor) return { floorHour: floor, rows: 0, statements, ms: performance.now() - began };
	// 2. Delete [done, floor) per table and group of guilds, in bounded statements.
	let rows = 0;
	for (const family of PER_MEMBER_FAMILIES) {
		const table = tableName(family, 'hourly');
		const guilds = await guildsOf(db, table);
		statements += 1;
		const key = ['guild_id', 'hour', ...family.keys.filter((column) => column !== 'guild_id')].map((column) => sql.ref(column));
		for (let start = 0; start < guilds.length; start += GUILDS_PER_STATEMENT) {
			const group = guilds.slice(start, start + GUILDS_PER_STATEMENT);
			const ids = group.map((guild) => guild.guildId);
			// One UTC day at a time: each batch's index range starts past the rows earlier days deleted
			// (their dead index entries stay until vacuum, and re-reading them would make batches quadratic).
			const first = Math.max(done, Math.min(...group.map((guild) => guild.firstHour)));
			for (let from = Math.floor(first / 24) * 24; from < floor; from += 24) {
				const inRange = sql`guild_id in (${sql.join(ids)}) and hour >= ${from} and hour < ${Math.min(from + 24, floor)}`;
				for (;;) {
					const deleted = await db.transaction().execute(async (trx) => {
						// Shared with flushes, exclusive with opt-outs: an opt-out reads a member's rows in one consistent state.
						await lockForWrite(trx, dialect, lockKey, false);
						const result =
							dialect === 'postgres'
								? await sql`delete from ${sql.table(table)} where ctid = any(array(select ctid from ${sql.table(table)} where ${inRange} limit ${batch}))`.execute(trx)
								: await sql`delete from ${sql.table(table)} where (${sql.join(key)}) in (select ${sql.join(key)} from ${sql.table(table)} where ${inRange} limit ${batch})`.execute(trx);
						return Number(result.numAffectedRows ?? 0);
					});
					statements += 2;
					rows += deleted;
					if (deleted < batch) break;
				}
			}
		}
	}
	// 3. Everything below the floor is gone.
	await setMetaMax(db, dialect, MEMBER_HOURLY_DONE_META, floor);
	statements += 1;
	return { floorHour: floor, rows, statements, ms: performance.now() - began };
}
