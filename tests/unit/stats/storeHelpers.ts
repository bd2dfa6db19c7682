import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { dropSchema as dropSchemaAt } from '../../support/storeSchema.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export type TestDialect = 'sqlite' | 'postgres';
export const DIALECTS: TestDialect[] = ['sqlite', 'postgres'];

export interface TestStore {
	store: StatsStore;
	/** Opens another store on the same database (a second process/shard). */
	reopen(): Promise<StatsStore>;
	dispose(): Promise<void>;
}

let counter = 0;

/** A fresh, isolated store: a temp SQLite file, or a unique PostgreSQL schema dropped by dispose(). */
export async function openTestStore(dialect: TestDialect, label: string): Promise<TestStore> {
	counter += 1;
	if (dialect === 'sqlite') {
		const dir = mkdtempSync(join(tmpdir(), `nexus-stats-${label}-`));
		return trackedStores(
			() => StatsStore.open({ sqlitePath: join(dir, 'nested', 'stats.sqlite') }),
			async () => rmSync(dir, { recursive: true, force: true })
		);
	}
	const schema = `t_${label}_${process.pid}_${counter}_${Math.floor(Math.random() * 1e6)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
	return trackedStores(
		() => StatsStore.open({ databaseUrl: PG_URL, sqlitePath: '/nonexistent', schema, poolSize: 4 }),
		() => dropSchema(schema)
	);
}

/** A TestStore over `openOne`: dispose() closes every store it opened, then runs `cleanup`. */
async function trackedStores(openOne: () => Promise<StatsStore>, cleanup: () => Promise<void>): Promise<TestStore> {
	const opened: StatsStore[] = [];
	const open = async () => {
		const store = await openOne();
		opened.push(store);
		return store;
	};
	return {
		store: await open(),
		reopen: open,
		async dispose() {
			for (const store of opened) await store.close();
			await cleanup();
		}
	};
}


/** Drops a schema of the test database (see tests/support/storeSchema.ts). */
export const dropSchema = (schema: string) => dropSchemaAt(schema, PG_URL);

/** Snowflake-looking ids, unique per call. */
let idCounter = 0;
export function snowflake(): string {
	idCounter += 1;
	return String(100000000000000000n + BigInt(Date.now() % 1_000_000) * 1_000_000n + BigInt(idCounter));
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
