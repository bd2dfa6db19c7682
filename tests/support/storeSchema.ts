import { sql } from 'kysely';
import pg from 'pg';
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

/** Drops a PostgreSQL schema a test or benchmark created, with everything in it. */
export async function dropSchema(schema: string, url = 'postgres://postgres@127.0.0.1:5432/test'): Promise<void> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(`drop schema if exists "${schema}" cascade`);
	} finally {
		await client.end();
	}
}
