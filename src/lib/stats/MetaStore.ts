import { sql, type Kysely } from 'kysely';
import { TABLES } from './statsSchema.js';

/** Meta key: the first hour still held in the hourly tables (retention moves it on). */
export const HOURLY_FLOOR_META = 'hourly_floor_hour';
/** Meta key prefix of a recovered statistics batch already applied (RecoveryJournal). */
export const APPLIED_BATCH_META = 'recovery_batch:';
/** Meta key: the sequence number of the latest committed flush that wrote flush-log rows. */
export const FLUSH_SEQ_META = 'flush_seq';

/**
 * The store's key-value meta table: the store's own bookkeeping (keys above, written inside its
 * transactions) and the markers the reporting code keeps in the shared database (last report
 * windows, last summary day), so every process of the fleet sees them.
 */
export class MetaStore {
	public constructor(private readonly db: Kysely<any>) {}

	public async get(key: string): Promise<string | null> {
		const { rows } = await sql<{ value: string }>`select value from ${sql.table(TABLES.meta)} where key = ${key}`.execute(this.db);
		return rows[0]?.value ?? null;
	}

	public async set(key: string, value: string): Promise<void> {
		await sql`insert into ${sql.table(TABLES.meta)} (key, value) values (${key}, ${value}) on conflict (key) do update set value = excluded.value`.execute(this.db);
	}
}
