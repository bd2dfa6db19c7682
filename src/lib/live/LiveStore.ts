import type { Kysely } from 'kysely';
import { LIVE_TABLES } from './liveSchema.js';

export type LiveReport = 'server' | 'top' | 'activity' | 'voice' | 'growth';
export type LiveRange = '24h' | '7d' | '30d' | '90d' | 'all';

export interface LiveMessageRow {
	id: string;
	guildId: string;
	channelId: string;
	messageId: string | null;
	report: LiveReport;
	range: LiveRange;
	everyMinutes: number;
	nextAt: number;
	createdAt: number;
	stopped: string | null;
}

export interface CounterRow {
	channelId: string;
	guildId: string;
	template: string;
	/** Epoch ms of the latest renames, oldest first. */
	renames: number[];
	createdAt: number;
	stopped: string | null;
}

const toLive = (row: Record<string, any>): LiveMessageRow => ({
	id: row.id,
	guildId: row.guild_id,
	channelId: row.channel_id,
	messageId: row.message_id ?? null,
	report: row.report,
	range: row.range,
	everyMinutes: Number(row.every_minutes),
	nextAt: Number(row.next_at),
	createdAt: Number(row.created_at),
	stopped: row.stopped ?? null
});

const toCounter = (row: Record<string, any>): CounterRow => ({
	channelId: row.channel_id,
	guildId: row.guild_id,
	template: row.template,
	renames: parseRenames(row.renames),
	createdAt: Number(row.created_at),
	stopped: row.stopped ?? null
});

function parseRenames(text: unknown): number[] {
	try {
		const list = JSON.parse(String(text));
		return Array.isArray(list) ? list.map(Number).filter(Number.isFinite) : [];
	} catch {
		return [];
	}
}

/** Rows of live messages and counter channels, in the statistics database (SQLite or PostgreSQL). */
export class LiveStore {
	public constructor(private readonly db: Kysely<any>) {}

	public async liveMessages(guildId: string): Promise<LiveMessageRow[]> {
		const rows = await this.db.selectFrom(LIVE_TABLES.messages).selectAll().where('guild_id', '=', guildId).orderBy('created_at').execute();
		return rows.map(toLive);
	}

	/** Active live messages due by `at`, earliest first (every guild; callers keep their own shard's). */
	public async dueLiveMessages(at: number, limit = 2000): Promise<LiveMessageRow[]> {
		const rows = await this.db.selectFrom(LIVE_TABLES.messages).selectAll().where('stopped', 'is', null).where('next_at', '<=', at).orderBy('next_at').limit(limit).execute();
		return rows.map(toLive);
	}

	/** The earliest refresh time of active live messages, or null when there are none. */
	public async nextLiveAt(guildIds: (id: string) => boolean, limit = 2000): Promise<number | null> {
		const rows = await this.db.selectFrom(LIVE_TABLES.messages).select(['guild_id', 'next_at']).where('stopped', 'is', null).orderBy('next_at').limit(limit).execute();
		const own = rows.find((row) => guildIds(row.guild_id));
		return own ? Number(own.next_at) : null;
	}

	public async insertLiveMessage(row: LiveMessageRow): Promise<void> {
		await this.db
			.insertInto(LIVE_TABLES.messages)
			.values({
				id: row.id,
				guild_id: row.guildId,
				channel_id: row.channelId,
				message_id: row.messageId,
				report: row.report,
				range: row.range,
				every_minutes: row.everyMinutes,
				next_at: row.nextAt,
				created_at: row.createdAt,
				stopped: row.stopped
			})
			.execute();
	}

	public async updateLiveMessage(id: string, patch: Partial<Pick<LiveMessageRow, 'messageId' | 'nextAt' | 'stopped'>>): Promise<void> {
		const values: Record<string, unknown> = {};
		if (patch.messageId !== undefined) values.message_id = patch.messageId;
		if (patch.nextAt !== undefined) values.next_at = patch.nextAt;
		if (patch.stopped !== undefined) values.stopped = patch.stopped;
		if (Object.keys(values).length > 0) await this.db.updateTable(LIVE_TABLES.messages).set(values).where('id', '=', id).execute();
	}

	public async deleteLiveMessage(guildId: string, id: string): Promise<boolean> {
		const result = await this.db.deleteFrom(LIVE_TABLES.messages).where('guild_id', '=', guildId).where('id', '=', id).executeTakeFirst();
		return Number(result.numDeletedRows) > 0;
	}

	public async counters(guildId?: string): Promise<CounterRow[]> {
		let query = this.db.selectFrom(LIVE_TABLES.counters).selectAll();
		if (guildId !== undefined) query = query.where('guild_id', '=', guildId);
		return (await query.orderBy('created_at').execute()).map(toCounter);
	}

	public async counter(channelId: string): Promise<CounterRow | null> {
		const row = await this.db.selectFrom(LIVE_TABLES.counters).selectAll().where('channel_id', '=', channelId).executeTakeFirst();
		return row ? toCounter(row) : null;
	}

	/** Adds a counter or replaces the template of an existing one (its rename history is kept). */
	public async upsertCounter(row: Omit<CounterRow, 'renames' | 'stopped'>): Promise<void> {
		await this.db
			.insertInto(LIVE_TABLES.counters)
			.values({ channel_id: row.channelId, guild_id: row.guildId, template: row.template, renames: '[]', created_at: row.createdAt, stopped: null })
			.onConflict((conflict) => conflict.column('channel_id').doUpdateSet({ template: row.template, stopped: null }))
			.execute();
	}

	public async updateCounter(channelId: string, patch: { renames?: number[]; stopped?: string | null }): Promise<void> {
		const values: Record<string, unknown> = {};
		if (patch.renames !== undefined) values.renames = JSON.stringify(patch.renames);
		if (patch.stopped !== undefined) values.stopped = patch.stopped;
		if (Object.keys(values).length > 0) await this.db.updateTable(LIVE_TABLES.counters).set(values).where('channel_id', '=', channelId).execute();
	}

	public async deleteCounter(guildId: string, channelId: string): Promise<boolean> {
		const result = await this.db.deleteFrom(LIVE_TABLES.counters).where('guild_id', '=', guildId).where('channel_id', '=', channelId).executeTakeFirst();
		return Number(result.numDeletedRows) > 0;
	}
}
