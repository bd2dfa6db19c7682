import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SQLite driver prepares every query anew; compiling the SQL was about a third of the
 * store's CPU on the flush path (bench/lean profile). This hands it the database with a
 * least-recently-used cache of prepared statements, keyed by the SQL text (a flush repeats the same
 * few dozen statements). A cached statement still iterating (a streamed select) is busy: that query
 * gets a fresh one. Long SQL is not cached: a prepared statement takes ~40 bytes per character of SQL
 * (a 2,000-row upsert chunk ~1.4 MB), and preparing it once per chunk is cheap next to its rows.
 */
export function withPreparedStatementCache(database: BetterSqlite3.Database, capacity = 100, maxSqlLength = 4000): SqliteDatabase {
	const cache = new Map<string, BetterSqlite3.Statement>();
	return {
		close: () => {
			cache.clear();
			database.close();
		},
		prepare: (sql: string): SqliteStatement => {
			const cached = cache.get(sql);
			if (cached && !cached.busy) {
				// Most recently used last, so the first key is the one to evict.
				cache.delete(sql);
				cache.set(sql, cached);
				return cached as unknown as SqliteStatement;
			}
			const statement = database.prepare(sql);
			if (!cached && sql.length <= maxSqlLength) {
				cache.set(sql, statement);
				if (cache.size > capacity) cache.delete(cache.keys().next().value!);
			}
			return statement as unknown as SqliteStatement;
		}
	};
}
