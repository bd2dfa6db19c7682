import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import { columnsOf, type RowSet } from './deriveRows.js';
import { tableName, TABLES, type StatsDialect } from './statsSchema.js';

/** Kysely instance or transaction: both execute queries. */
export type Executor = Pick<Kysely<any>, 'executeQuery'>;

/** Bind-parameter ceilings: SQLite's SQLITE_MAX_VARIABLE_NUMBER (32766) and PostgreSQL's protocol limit (65535). */
export const MAX_PARAMS: Record<StatsDialect, number> = { sqlite: 32_766, postgres: 65_535 };
/** Rows per statement: enough to amortise round trips, small enough to keep statements cheap to prepare. */
const MAX_ROWS_PER_STATEMENT = 2_000;

export const rowsPerChunk = (dialect: StatsDialect, columns: number): number =>
	Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS[dialect] / columns)));

const quote = (identifier: string) => `"${identifier}"`;

export interface WriteCount {
	statements: number;
	rows: number;
}

/**
 * Multi-row `INSERT ... ON CONFLICT (key) DO UPDATE SET n = t.n + excluded.n`: adds each row's
 * counters to the stored row in one atomic statement per chunk, identical on both dialects. On
 * PostgreSQL the row lock taken by the conflict makes concurrent adds serialize per row, so no
 * increment is lost or doubled; rows arrive sorted, so two writers lock rows in the same order.
 * Built as text (not with the query builder) because a chunk holds up to 2000 rows.
 */
export async function upsertRows(executor: Executor, dialect: StatsDialect, set: RowSet): Promise<WriteCount> {
	if (set.size === 0) return { statements: 0, rows: 0 };
	const table = tableName(set.family, set.granularity);
	const columns = columnsOf(set.family, set.granularity);
	const updates = [
		...columns.sums.map((column) => `${quote(column)} = ${quote(table)}.${quote(column)} + excluded.${quote(column)}`),
		...columns.flags.map((column) => `${quote(column)} = excluded.${quote(column)}`)
	].join(', ');
	const head = `insert into ${quote(table)} (${columns.all.map(quote).join(', ')}) values `;
	const tail = ` on conflict (${columns.keys.map(quote).join(', ')}) do update set ${updates}`;
	const rows = set.sortedRows();
	const width = columns.all.length;
	const perChunk = rowsPerChunk(dialect, width);
	let statements = 0;
	for (let start = 0; start < rows.length; start += perChunk) {
		const chunk = rows.slice(start, start + perChunk);
		const params: (string | number)[] = new Array(chunk.length * width);
		const tuples: string[] = new Array(chunk.length);
		let n = 0;
		for (let index = 0; index < chunk.length; index++) {
			const row = chunk[index];
			const marks: string[] = new Array(width);
			for (let column = 0; column < width; column++) {
				params[n] = row[column];
				n += 1;
				marks[column] = dialect === 'postgres' ? `$${n}` : '?';
			}
			tuples[index] = `(${marks.join(', ')})`;
		}
		await executor.executeQuery(CompiledQuery.raw(head + tuples.join(', ') + tail, params));
		statements += 1;
	}
	return { statements, rows: rows.length };
}

export interface ValuesColumn {
	name: string;
	type: 'text' | 'integer' | 'bigint';
}

/**
 * `name(col, ...) as (values (cast(? as type), ...), ...)` for a WITH clause. The casts give
 * PostgreSQL the column types (bare parameters in VALUES would be text) and are no-ops in SQLite.
 */
export function valuesCte(name: string, columns: ValuesColumn[], rows: readonly (readonly (string | number)[])[]): RawBuilder<unknown> {
	const tuples = rows.map((row) => sql`(${sql.join(row.map((value, index) => sql`cast(${value} as ${sql.raw(columns[index].type)})`))})`);
	return sql`${sql.id(name)}(${sql.join(columns.map((column) => sql.id(column.name)))}) as (values ${sql.join(tuples)})`;
}

/** Calls `run` for each chunk of rows that fits the parameter limit. */
export async function forChunks<T>(dialect: StatsDialect, columns: number, rows: readonly T[], run: (chunk: T[]) => Promise<unknown>): Promise<number> {
	const perChunk = rowsPerChunk(dialect, columns);
	let statements = 0;
	for (let start = 0; start < rows.length; start += perChunk) {
		await run(rows.slice(start, start + perChunk));
		statements += 1;
	}
	return statements;
}

/** The predicate "this member row shows activity": a message, voice time, or a reaction added. */
export const ACTIVE_MEMBER = (alias: string) =>
	sql`(${sql.ref(`${alias}.messages`)} > 0 or ${sql.ref(`${alias}.voice_seconds`)} > 0 or ${sql.ref(`${alias}.reactions_given`)} > 0)`;

/** The predicate "this row's user has not opted out". */
export const NOT_OPTED_OUT = (userColumn: string) =>
	sql`not exists (select 1 from ${sql.table(TABLES.optOuts)} as o where o.user_id = ${sql.ref(userColumn)})`;

/**
 * Serializes privacy changes against flushes. PostgreSQL: flushes take a shared transaction-level
 * advisory lock (they run concurrently with each other), privacy changes and purges an exclusive
 * one, so a flush never writes rows of a member whose opt-out committed meanwhile. SQLite: a
 * no-op write as the first statement takes the database write lock up front (a deferred
 * transaction would otherwise read first and fail to upgrade under a concurrent writer).
 */
export async function lockForWrite(executor: Executor, dialect: StatsDialect, lockKey: number, exclusive: boolean): Promise<void> {
	if (dialect === 'postgres') {
		const fn = exclusive ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
		await executor.executeQuery(CompiledQuery.raw(`select ${fn}(20056, ${lockKey | 0})`, []));
	} else {
		await executor.executeQuery(CompiledQuery.raw(`update "${TABLES.meta}" set value = value where key = '__write_lock__'`, []));
	}
}

/** A stable 32-bit key per PostgreSQL schema, so isolated test schemas do not contend. */
export function lockKeyFor(schema: string | null): number {
	let hash = 0x811c9dc5;
	for (const char of schema ?? 'sqlite') {
		hash ^= char.charCodeAt(0);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash | 0;
}
