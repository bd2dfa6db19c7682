import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { withPreparedStatementCache } from '#lib/stats/preparedStatements.js';

describe('withPreparedStatementCache', () => {
	it('reuses a statement per SQL text, evicts the least recently used, and gives a busy (streaming) statement no second caller', async () => {
		const raw = new Database(':memory:');
		let prepared = 0;
		const counting = new Proxy(raw, { get: (target, key) => (key === 'prepare' ? (text: string) => (prepared++, target.prepare(text)) : Reflect.get(target, key)) });
		const database = withPreparedStatementCache(counting, 2);
		const db = new Kysely<{ t: { n: number } }>({ dialect: new SqliteDialect({ database }) });
		await sql`create table t (n integer)`.execute(db);
		for (let n = 0; n < 5; n++) await db.insertInto('t').values({ n }).execute();
		const insertsPrepared = prepared;
		expect(insertsPrepared).toBe(2); // create + one insert, reused four times

		// A statement still iterating is busy: the same SQL meanwhile gets its own statement.
		const select = 'select n from t order by n';
		const first = database.prepare(select) as unknown as Database.Statement<[], { n: number }>;
		const iterator = first.iterate();
		expect(iterator.next().value).toEqual({ n: 0 });
		const second = database.prepare(select) as unknown as Database.Statement<[], { n: number }>;
		expect(second).not.toBe(first);
		expect(second.all()).toHaveLength(5);
		expect([...iterator].map((row) => row.n)).toEqual([1, 2, 3, 4]);
		expect(database.prepare(select)).toBe(first);

		// Capacity 2: the select pushed out the create; a new SQL text now evicts the least recently used.
		const before = prepared;
		await db.insertInto('t').values({ n: 9 }).execute();
		expect(prepared).toBe(before); // the insert, cached and recently used
		await db.deleteFrom('t').where('n', '=', 9).execute(); // evicts the select
		await db.insertInto('t').values({ n: 10 }).execute();
		expect(prepared).toBe(before + 1); // only the delete was new; the insert stayed cached
		database.prepare(select);
		expect(prepared).toBe(before + 2); // the select had been evicted

		// Long SQL (a big upsert chunk) is prepared each time, never kept.
		const long = `select n from t where n in (${Array.from({ length: 1500 }, (_, i) => i).join(',')})`;
		const atLong = prepared;
		database.prepare(long);
		database.prepare(long);
		expect(prepared).toBe(atLong + 2);
		expect(Number((await db.selectFrom('t').select((eb) => eb.fn.countAll().as('c')).executeTakeFirstOrThrow()).c)).toBe(6);
		await db.destroy();
		expect(raw.open).toBe(false);
	});
});
