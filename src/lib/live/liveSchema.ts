import type { Kysely, Migration } from 'kysely';

export const LIVE_TABLES = {
	/** Live statistics messages: one row per message the bot keeps editing. */
	messages: 'live_messages',
	/** Counter channels: one row per channel the bot keeps renaming. */
	counters: 'counter_channels'
} as const;

/** Tables of live messages and counter channels (statsMigrations runs this as its own migration). */
export const liveStatsMigration: Migration = {
	async up(db: Kysely<any>) {
		await db.schema
			.createTable(LIVE_TABLES.messages)
			.addColumn('id', 'text', (column) => column.primaryKey())
			.addColumn('guild_id', 'text', (column) => column.notNull())
			.addColumn('channel_id', 'text', (column) => column.notNull())
			// Null until the first post succeeded (and after the message was found deleted).
			.addColumn('message_id', 'text')
			.addColumn('report', 'text', (column) => column.notNull())
			.addColumn('range', 'text', (column) => column.notNull())
			.addColumn('every_minutes', 'integer', (column) => column.notNull())
			// Epoch ms of the next refresh: a restart picks up the schedule where it was.
			.addColumn('next_at', 'bigint', (column) => column.notNull())
			.addColumn('created_at', 'bigint', (column) => column.notNull())
			// Why refreshing stopped (channel gone, permission lost); null while active.
			.addColumn('stopped', 'text')
			.execute();
		await db.schema.createIndex(`${LIVE_TABLES.messages}_guild`).on(LIVE_TABLES.messages).columns(['guild_id']).execute();
		await db.schema.createIndex(`${LIVE_TABLES.messages}_due`).on(LIVE_TABLES.messages).columns(['next_at']).execute();

		await db.schema
			.createTable(LIVE_TABLES.counters)
			.addColumn('channel_id', 'text', (column) => column.primaryKey())
			.addColumn('guild_id', 'text', (column) => column.notNull())
			.addColumn('template', 'text', (column) => column.notNull())
			// JSON array of epoch ms of the latest renames: the rename budget survives restarts.
			.addColumn('renames', 'text', (column) => column.notNull().defaultTo('[]'))
			.addColumn('created_at', 'bigint', (column) => column.notNull())
			.addColumn('stopped', 'text')
			.execute();
		await db.schema.createIndex(`${LIVE_TABLES.counters}_guild`).on(LIVE_TABLES.counters).columns(['guild_id']).execute();
	},
	async down(db: Kysely<any>) {
		await db.schema.dropTable(LIVE_TABLES.counters).ifExists().execute();
		await db.schema.dropTable(LIVE_TABLES.messages).ifExists().execute();
	}
};
