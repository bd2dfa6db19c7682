import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { withPreparedStatementCache } from './preparedStatements.js';
import pg from 'pg';
import { statsMigrations, type StatsDialect } from './statsSchema.js';

export interface StatsDatabaseOptions {
	/** `postgres://...` selects PostgreSQL; unset (or anything else) selects the SQLite file. */
	databaseUrl?: string;
	sqlitePath: string;
	/** PostgreSQL schema to create and use (tests isolate themselves with one each). */
	schema?: string;
	/** PostgreSQL pool size (default 10). */
	poolSize?: number;
}

export interface StatsDatabase {
	db: Kysely<any>;
	dialect: StatsDialect;
	/** PostgreSQL schema in use ('public' by default); null on SQLite. */
	schema: string | null;
}

export const isPostgresUrl = (url: string | undefined): url is string => typeof url === 'string' && /^postgres(ql)?:\/\//i.test(url);

// COUNT and SUM return int8/numeric, which pg hands back as strings by default. Counters here stay
// far below 2^53, so read them as numbers. Set per pool (not globally) to leave other pg users alone.
const pgTypes = {
	getTypeParser(oid: number, format?: any) {
		if (oid === 20 || oid === 1700) return (value: string) => Number(value);
		return (pg.types.getTypeParser as (oid: number, format?: any) => any)(oid, format);
	}
};

/** Opens the SQLite file (WAL) or the PostgreSQL pool and runs the migrations. */
export async function openStatsDatabase(options: StatsDatabaseOptions): Promise<StatsDatabase> {
	let db: Kysely<any>;
	let dialect: StatsDialect;
	let schema: string | null = null;
	if (isPostgresUrl(options.databaseUrl)) {
		dialect = 'postgres';
		schema = options.schema ?? 'public';
		if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`invalid PostgreSQL schema name: ${schema}`);
		if (options.schema) await createSchema(options.databaseUrl, schema);
		const pool = new pg.Pool({
			connectionString: options.databaseUrl,
			max: options.poolSize ?? 10,
			types: pgTypes,
			options: options.schema ? `-c search_path=${schema}` : undefined
		});
		// An idle connection the server drops (restart, outage) emits 'error' on the pool: without a
		// listener that kills the process. The next query reconnects or fails, and the flush retries.
		pool.on('error', () => undefined);
		// The same for a connection checked out between two queries of a transaction: the transaction fails instead.
		pool.on('connect', (client) => client.on('error', () => undefined));
		db = new Kysely({ dialect: new PostgresDialect({ pool }) });
	} else {
		dialect = 'sqlite';
		const path = resolve(options.sqlitePath);
		mkdirSync(dirname(path), { recursive: true });
		const database = new Database(path);
		// WAL: readers never block the flush writer; NORMAL is durable across app crashes in WAL mode
		// (only an OS crash can drop the last commits); busy_timeout covers a second process.
		database.pragma('journal_mode = WAL');
		database.pragma('busy_timeout = 5000');
		database.pragma('synchronous = NORMAL');
		database.pragma('cache_size = -32000');
		database.pragma('temp_store = MEMORY');
		db = new Kysely({ dialect: new SqliteDialect({ database: withPreparedStatementCache(database) }) });
	}
	const migrator = new Migrator({
		db,
		provider: { getMigrations: async () => statsMigrations(dialect) },
		...(dialect === 'postgres' && options.schema ? { migrationTableSchema: schema! } : {})
	});
	let { error } = await migrator.migrateToLatest();
	// kysely's migrator scans the catalog of every schema (pg_get_serial_sequence on each column): a
	// schema another client drops meanwhile fails the scan. Nothing of ours changed; try again.
	for (let attempt = 0; attempt < 5 && isOtherSchemaDropped(error, schema); attempt++) {
		await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
		({ error } = await migrator.migrateToLatest());
	}
	if (error) {
		await db.destroy();
		throw error instanceof Error ? error : new Error(String(error));
	}
	return { db, dialect, schema };
}

function isOtherSchemaDropped(error: unknown, schema: string | null): boolean {
	const { code, message } = (error ?? {}) as { code?: string; message?: string };
	return code === '3F000' && typeof message === 'string' && !message.includes(`"${schema}"`);
}

async function createSchema(url: string, schema: string): Promise<void> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(`create schema if not exists "${schema}"`);
	} catch (error) {
		// Two processes creating the same schema at once: one of them gets a unique violation.
		if ((error as { code?: string }).code !== '23505' && (error as { code?: string }).code !== '42P06') throw error;
	} finally {
		await client.end();
	}
}
