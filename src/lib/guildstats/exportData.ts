import { UserError } from '@sapphire/framework';
import { stringify } from 'csv-stringify/sync';
import type { Granularity } from '#lib/stats/statsSchema.js';
import type { ExportRange, ExportRows } from '#lib/stats/statsExport.js';
import { DAY_MS, HOUR_MS } from '#lib/stats/timeBuckets.js';
import type { NameSource } from './NameSource.js';
import { RANGE_CHOICES, type RangeChoice } from './reportOptions.js';

/*
 * `/guildstats export`: the guild's stored counts (guild, channels, members) per UTC hour or day as
 * CSV files or one JSON file, within the interaction's upload limit. Column meanings are in the
 * README ("Export columns").
 */

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_GRANULARITIES = ['daily', 'hourly'] as const;
/** Discord's upload limit for bots in unboosted guilds, when the interaction does not say. */
export const DEFAULT_UPLOAD_LIMIT = 8 * 1024 * 1024;

export interface ExportRequest {
	range: RangeChoice;
	format: ExportFormat;
	granularity: Granularity;
}

export interface ExportFile {
	name: string;
	data: Buffer;
}

export interface ExportResult {
	files: ExportFile[];
	bytes: number;
	rows: { guild: number; channels: number; members: number };
	/** The buckets read, as the user should see them ("2026-11-03 … 2026-12-02 (UTC days)"). */
	rangeLabel: string;
	/** Why some of the asked range has no rows (hourly rows past retention). */
	note: string | null;
}

export interface ExportStats {
	store: { reports: { exportRows(guildId: string, range: ExportRange): Promise<ExportRows> } };
}

const RANGE_DAYS: Record<Exclude<RangeChoice, 'all'>, number> = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 };

export function validateExportInput(input: { range?: string | null; format?: string | null; granularity?: string | null }): ExportRequest {
	const range = (input.range ?? '30d') as RangeChoice;
	if (!RANGE_CHOICES.includes(range)) throw new UserError({ identifier: 'GuildStatsInvalidRange', message: `Unknown range \`${input.range}\`: choose one of ${RANGE_CHOICES.join(', ')}.` });
	const format = (input.format ?? 'csv') as ExportFormat;
	if (!EXPORT_FORMATS.includes(format)) throw new UserError({ identifier: 'GuildStatsInvalidFormat', message: `Unknown format \`${input.format}\`: choose csv or json.` });
	const granularity = (input.granularity ?? 'daily') as Granularity;
	if (!EXPORT_GRANULARITIES.includes(granularity)) throw new UserError({ identifier: 'GuildStatsInvalidGranularity', message: `Unknown granularity \`${input.granularity}\`: choose daily or hourly.` });
	return { range, format, granularity };
}

/**
 * The buckets of a range ending now: the last `range` hours, or for daily granularity the UTC days
 * that overlap them (today included). `all` starts at the store's oldest bucket.
 */
export function exportRange(request: ExportRequest, now: number): ExportRange {
	const endHour = Math.floor(now / HOUR_MS) + 1;
	if (request.granularity === 'hourly') {
		return { granularity: 'hourly', from: request.range === 'all' ? 0 : endHour - RANGE_DAYS[request.range] * 24, to: endHour };
	}
	const endDay = Math.floor((endHour - 1) / 24) + 1;
	return { granularity: 'daily', from: request.range === 'all' ? 0 : Math.floor((endHour - RANGE_DAYS[request.range] * 24) / 24), to: endDay };
}

const bucketIso = (t: number, granularity: Granularity) =>
	granularity === 'hourly' ? new Date(t * HOUR_MS).toISOString().slice(0, 13) + ':00Z' : new Date(t * DAY_MS).toISOString().slice(0, 10);

export const GUILD_COLUMNS = ['bucket', 'messages', 'voice_seconds', 'reactions', 'joins', 'leaves', 'active_members'] as const;
export const CHANNEL_COLUMNS = ['bucket', 'channel_id', 'channel_name', 'messages', 'voice_seconds', 'reactions'] as const;
export const MEMBER_COLUMNS = ['bucket', 'user_id', 'bot', 'messages', 'voice_seconds', 'reactions_given', 'reactions_received'] as const;

/** The rows as records with the documented column names (the same for CSV and JSON). */
export function exportRecords(rows: ExportRows, granularity: Granularity, names: Pick<NameSource, 'channel'>) {
	const bucket = (t: number) => bucketIso(t, granularity);
	return {
		guild: rows.guild.map((row) => ({
			bucket: bucket(row.t),
			messages: row.messages,
			voice_seconds: row.voiceSeconds,
			reactions: row.reactions,
			joins: row.joins,
			leaves: row.leaves,
			active_members: row.activeMembers
		})),
		channels: rows.channels.map((row) => ({
			bucket: bucket(row.t),
			channel_id: row.channelId,
			channel_name: names.channel(row.channelId)?.name ?? '',
			messages: row.messages,
			voice_seconds: row.voiceSeconds,
			reactions: row.reactions
		})),
		members: rows.members.map((row) => ({
			bucket: bucket(row.t),
			user_id: row.userId,
			bot: row.bot,
			messages: row.messages,
			voice_seconds: row.voiceSeconds,
			reactions_given: row.reactionsGiven,
			reactions_received: row.reactionsReceived
		}))
	};
}

/** Reads the rows and encodes the files; throws a UserError when they exceed `uploadLimit`. */
export async function buildExport(
	stats: ExportStats,
	guild: { id: string; names: Pick<NameSource, 'channel'> },
	request: ExportRequest,
	options: { now: number; uploadLimit: number; floorHour?: number; memberFloorHour?: number }
): Promise<ExportResult> {
	const range = exportRange(request, options.now);
	const rows = await stats.store.reports.exportRows(guild.id, range);
	const records = exportRecords(rows, request.granularity, guild.names);
	const stamp = bucketIso(range.to - 1, request.granularity).replace(/[:]/g, '');
	const base = `guildstats-${guild.id}-${request.granularity}-${stamp}`;
	const files: ExportFile[] =
		request.format === 'csv'
			? [
					{ name: `${base}-guild.csv`, data: await csvInSlices(records.guild, GUILD_COLUMNS) },
					{ name: `${base}-channels.csv`, data: await csvInSlices(records.channels, CHANNEL_COLUMNS) },
					{ name: `${base}-members.csv`, data: await csvInSlices(records.members, MEMBER_COLUMNS) }
				]
			: [
					{
						name: `${base}.json`,
						data: Buffer.concat([
							Buffer.from(`{"guildId":${JSON.stringify(guild.id)},"granularity":"${request.granularity}","from":"${bucketIso(range.from, request.granularity)}","to":"${bucketIso(range.to - 1, request.granularity)}"`),
							Buffer.from(',"guild":'),
							await jsonInSlices(records.guild),
							Buffer.from(',"channels":'),
							await jsonInSlices(records.channels),
							Buffer.from(',"members":'),
							await jsonInSlices(records.members),
							Buffer.from('}')
						])
					}
				];
	const bytes = files.reduce((sum, file) => sum + file.data.length, 0);
	const first = rows.guild[0]?.t ?? range.from;
	const rangeLabel = `${bucketIso(request.range === 'all' ? first : range.from, request.granularity)} … ${bucketIso(range.to - 1, request.granularity)} (UTC ${request.granularity === 'hourly' ? 'hours' : 'days'})`;
	if (bytes > options.uploadLimit) {
		const narrower = request.granularity === 'hourly' ? 'a shorter `range` or `granularity:daily`' : 'a shorter `range`';
		throw new UserError({
			identifier: 'GuildStatsExportTooLarge',
			message: `This export would be ${mib(bytes)}, above the ${mib(options.uploadLimit)} upload limit here. Pick ${narrower}${request.format === 'json' ? ', or `format:csv` (smaller)' : ''}.`
		});
	}
	let note: string | null = null;
	const floorHour = options.floorHour ?? 0;
	if (request.granularity === 'hourly' && range.from < floorHour && (rows.guild.length === 0 || rows.guild[0].t > range.from)) {
		note = `Hourly counts older than ${bucketIso(floorHour, 'hourly')} are no longer kept (retention): use \`granularity:daily\` for them.`;
	} else if (request.granularity === 'hourly' && range.from < (options.memberFloorHour ?? 0)) {
		note = `Hourly member rows older than ${bucketIso(options.memberFloorHour!, 'hourly')} are kept per day only (STATS_MEMBER_HOURLY_DAYS): use \`granularity:daily\` for them.`;
	}
	return { files, bytes, rows: { guild: rows.guild.length, channels: rows.channels.length, members: rows.members.length }, rangeLabel, note };
}

/** Rows encoded per slice: a 90-day export of a 10k guild is ~100k rows; slices keep each event-loop block short. */
const SLICE_ROWS = 5000;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** CSV with a header, quoted by csv-stringify (names may hold commas, quotes, newlines), encoded in slices. */
async function csvInSlices(records: readonly Record<string, unknown>[], columns: readonly string[]): Promise<Buffer> {
	const parts: Buffer[] = [Buffer.from(stringify([], { header: true, columns: [...columns] }))];
	for (let start = 0; start < records.length; start += SLICE_ROWS) {
		if (start > 0) await yieldToEventLoop();
		parts.push(Buffer.from(stringify(records.slice(start, start + SLICE_ROWS), { columns: [...columns], cast: { boolean: (value) => String(value) } })));
	}
	return Buffer.concat(parts);
}

/** A JSON array of the records, encoded in slices. */
async function jsonInSlices(records: readonly unknown[]): Promise<Buffer> {
	const parts: string[] = [];
	for (let start = 0; start < records.length; start += SLICE_ROWS) {
		if (start > 0) await yieldToEventLoop();
		parts.push(JSON.stringify(records.slice(start, start + SLICE_ROWS)).slice(1, -1));
	}
	return Buffer.from(`[${parts.join(',')}]`);
}

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MiB`;

/** At most one export per guild per `cooldownMs` (per process: a guild lives on one shard). */
export class ExportCooldown {
	private readonly last = new Map<string, number>();

	public constructor(private readonly cooldownMs: number) {}

	/** When the guild may export again (epoch ms), or null if it may now. */
	public nextAllowedAt(guildId: string, now: number): number | null {
		const last = this.last.get(guildId);
		if (last === undefined || now - last >= this.cooldownMs) return null;
		return last + this.cooldownMs;
	}

	/** Forgets the guild's last export (it was refused or failed: it should not count). */
	public release(guildId: string, at: number): void {
		if (this.last.get(guildId) === at) this.last.delete(guildId);
	}

	public record(guildId: string, now: number): void {
		this.last.set(guildId, now);
		// Entries past their window are useless: drop them so the map stays small.
		if (this.last.size > 10_000) for (const [id, at] of this.last) if (now - at >= this.cooldownMs) this.last.delete(id);
	}
}

export function cooldownMessage(nextAllowedAt: number, cooldownMs: number): string {
	const unix = Math.ceil(nextAllowedAt / 1000);
	const minutes = Math.max(1, Math.round(cooldownMs / 60_000));
	return `This server had an export recently: one export per server every ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}. The next one is allowed <t:${unix}:R> (at <t:${unix}:T>).`;
}
