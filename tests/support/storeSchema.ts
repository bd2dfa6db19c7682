import { sql } from 'kysely';
import type { StatsStore } from '#lib/stats/StatsStore.js';

/** Column names of every table the store created (in its PostgreSQL schema when it has one). */
export async function schemaColumns(store: Pick<StatsStore, 'db' | 'schema'>): Promise<{ table: string; column: string }[]> {
	const tables = await store.db.introspection.getTables();
	return tables.filter((table) => store.schema === null || table.schema === store.schema).flatMap((table) => table.columns.map((column) => ({ table: table.name, column: column.name })));
}

/** Row count of one store table (tests and benchmarks). */
export async function countRows(store: Pick<StatsStore, 'db'>, table: string): Promise<number> {
	const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(store.db);
	return Number(rows[0]!.n);
}
