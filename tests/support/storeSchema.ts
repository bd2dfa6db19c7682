import type { StatsStore } from '#lib/stats/StatsStore.js';

/** Column names of every table the store created (in its PostgreSQL schema when it has one). */
export async function schemaColumns(store: Pick<StatsStore, 'db' | 'schema'>): Promise<{ table: string; column: string }[]> {
	const tables = await store.db.introspection.getTables();
	return tables.filter((table) => store.schema === null || table.schema === store.schema).flatMap((table) => table.columns.map((column) => ({ table: table.name, column: column.name })));
}
