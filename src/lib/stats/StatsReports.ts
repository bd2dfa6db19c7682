import { sql, type Kysely, type RawBuilder } from 'kysely';
import { canonicalTimeZone, HourBucketer, type Bucket } from './HourBucketer.js';
import { readExportRows, readLastActivity, type ExportRange, type ExportRows } from './statsExport.js';
import { ACTIVE_MEMBER, NOT_OPTED_OUT } from './statsSql.js';
import { FAMILIES, TABLES, tableName, type CounterFamily, type StatsDialect } from './statsSchema.js';
import type {
	ChannelStats,
	GrowthReport,
	Heatmap,
	MembersFilter,
	MemberStats,
	OverviewTotals,
	ReportOptions,
	SeriesPoint,
	ServerReport,
	TopEntry,
	TopOptions,
	VoiceStats
} from './statsTypes.js';
import { isPerMemberFamily, planFor, planWithFloors, type HourlyFloors } from './hourlyRollup.js';
import { dayOfHour, HOUR_MS, rangeHours, type RangePlan, type TimeRange } from './timeBuckets.js';
import { voiceMinutes } from './voiceMinutes.js';

type Where = (table: string) => RawBuilder<unknown>;
type IndexHint = 'user' | 'channel' | 'thread';
type Row = Record<string, number | string | null>;
/** A range plan; `member` (when set) is the one for the per-member tables (see hourlyRollup.ts). */
type Plan = RangePlan & { member?: RangePlan };

const TRUE = sql`1 = 1`;
const n = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

interface TopMetricSpec {
	/** Column ranked by in the grouped source. */
	column: 'messages' | 'voice_seconds' | 'reactions';
	/** Never-decreasing all-time column of stats_member_totals bounding it. */
	bound: 'messages' | 'voice_seconds' | 'reactions_added';
}

const TOP_METRICS: Record<string, TopMetricSpec> = {
	messages: { column: 'messages', bound: 'messages' },
	voice: { column: 'voice_seconds', bound: 'voice_seconds' },
	reactions: { column: 'reactions', bound: 'reactions_added' }
};

/** First and last instants a range plan reads (whole days for daily parts). */
function planStartMs(plan: Plan): number {
	const starts = [...(plan.days ? [plan.days.fromDay * 24] : []), ...plan.hours.map((span) => span.from)];
	return Math.min(...starts) * HOUR_MS;
}

function planEndMs(plan: Plan): number {
	const ends = [...(plan.days ? [plan.days.toDay * 24] : []), ...plan.hours.map((span) => span.to)];
	return Math.max(...ends) * HOUR_MS;
}

/** Ranges longer than this are clamped to start at the guild's first data, so series don't zero-fill back to 1970. */
const MAX_UNCLAMPED_HOURS = 366 * 24;

/** Everything a series needs: the bucketer in the report's timezone and the bucket keys covering the range. */
interface SeriesContext {
	bucket: Bucket;
	bucketer: HourBucketer;
	fromHour: number;
	toHour: number;
	floorHour: number;
	/** First hour of the per-member hourly tables (>= floorHour). */
	memberFloorHour: number;
	keys: number[];
	index: Map<number, number>;
}

/**
 * The /guildstats queries (the export and the inactive list through statsExport.ts). Every report
 * reads one guild over a time range and excludes opted-out members (aggregates are written without
 * them; member-level rows are filtered with NOT EXISTS).
 *
 * Totals and top lists read whole UTC days from the daily tables and the partial edge days from
 * the hourly tables (planRange), so a 90-day report touches ~90 daily rows per series instead of
 * 2160 hourly ones. Series and the heatmap aggregate per hour in SQL (one row per hour) and map
 * hours to local buckets in JS (HourBucketer). Distinct active members come from precomputed
 * counts (per hour, per UTC day, per local day) or, over a whole range that ends after the latest
 * activity (every /guildstats range ends "now"), from one index range over last-activity times.
 */
export class StatsReports {
	public constructor(
		private readonly db: Kysely<any>,
		private readonly dialect: StatsDialect,
		/** The hourly floors (all hourly tables; per-member hourly tables), see hourlyRollup.ts. */
		private readonly floors: () => Promise<HourlyFloors>,
		private readonly guildTimezone: (guildId: string) => Promise<string>
	) {}

	/**
	 * Totals of the range and of the previous period of the same length (`previous`, null for a
	 * range from the beginning), each from ONE statement that reads both periods (`period` 0 and 1).
	 */
	public async overview(guildId: string, options: ReportOptions): Promise<OverviewTotals> {
		const opts = normalize(options);
		const floors = await this.floors();
		const plan = planWithFloors(opts.range, floors);
		const before = previousRange(opts.range);
		const previousPlan = before ? planWithFloors(before, floors) : null;
		const members = membersWhere(opts.members);
		if (opts.userIds) return this.overviewOfUsers(guildId, opts, opts.userIds, plan, previousPlan);
		const sums = byPeriod(
			await this.rows(sql`
			select period, coalesce(sum(messages), 0) as messages, coalesce(sum(voice_seconds), 0) as voice_seconds, coalesce(sum(reactions), 0) as reactions,
				coalesce(sum(joins), 0) as joins, coalesce(sum(leaves), 0) as leaves
			from (${this.periodBranches(FAMILIES.guild, plan, previousPlan, guildId, sql`messages, voice_seconds, reactions, joins, leaves`, members)}) as s group by period`)
		);
		const commands = byPeriod(
			await this.rows(sql`
			select period, coalesce(sum(ok), 0) as ok, coalesce(sum(failed), 0) as failed
			from (${this.periodBranches(FAMILIES.command, plan, previousPlan, guildId, sql`ok, failed`, () => TRUE)}) as s group by period`)
		);
		const active = await this.activeMembers(guildId, opts, plan, previousPlan);
		const totals = (period: 0 | 1, activeMembers: number) => {
			const row = sums[period];
			const voiceSeconds = n(row.voice_seconds);
			return {
				messages: n(row.messages),
				activeMembers,
				voiceSeconds,
				voiceMinutes: voiceMinutes(voiceSeconds),
				reactions: n(row.reactions),
				joins: n(row.joins),
				leaves: n(row.leaves),
				net: n(row.joins) - n(row.leaves),
				commands: n(commands[period].ok) + n(commands[period].failed),
				commandsFailed: n(commands[period].failed)
			};
		};
		return { ...totals(0, active.current), previous: previousPlan ? totals(1, active.previous) : null };
	}

	/**
	 * Totals of a set of members (a role's holders, resolved by the caller): from the per-member rows,
	 * both periods in one statement. Joins, leaves and commands are not kept per member: 0.
	 */
	private async overviewOfUsers(guildId: string, opts: ReportOptions, userIds: readonly string[], plan: Plan, previousPlan: Plan | null): Promise<OverviewTotals> {
		const people = this.peopleWhere(opts, userIds);
		const sums = byPeriod(
			await this.rows(sql`
			select period, coalesce(sum(messages), 0) as messages, coalesce(sum(voice_seconds), 0) as voice_seconds, coalesce(sum(reactions_given), 0) as reactions,
				count(distinct case when messages > 0 or voice_seconds > 0 or reactions_given > 0 then user_id end) as active
			from (${this.periodBranches(FAMILIES.member, plan, previousPlan, guildId, sql`user_id, messages, voice_seconds, reactions_given`, people)}) as s group by period`)
		);
		const totals = (period: 0 | 1) => {
			const row = sums[period];
			const voiceSeconds = n(row.voice_seconds);
			return { messages: n(row.messages), activeMembers: n(row.active), voiceSeconds, voiceMinutes: voiceMinutes(voiceSeconds), reactions: n(row.reactions), joins: 0, leaves: 0, net: 0, commands: 0, commandsFailed: 0 };
		};
		return { ...totals(0), previous: previousPlan ? totals(1) : null };
	}

	/** Member rows of `userIds` only (one bound parameter however many), humans/bots filter, opted-out left out. */
	private peopleWhere(opts: ReportOptions, userIds: readonly string[]): Where {
		const members = membersWhere(opts.members);
		return (table) => sql`${this.usersIn(`${table}.user_id`, userIds)} and ${members(table)} and ${NOT_OPTED_OUT(`${table}.user_id`)}`;
	}

	/** `column` is one of `ids`, passed as ONE parameter (a role can have thousands of members): json_each on SQLite, an array on PostgreSQL. */
	private usersIn(column: string, ids: readonly string[]): RawBuilder<unknown> {
		// A subquery, not `= any(array)`: PostgreSQL hashes it once instead of scanning the array for every row.
		if (this.dialect === 'postgres') return sql`${sql.ref(column)} in (select unnest(cast(${[...ids]} as text[])))`;
		return sql`${sql.ref(column)} in (select value from json_each(${JSON.stringify(ids)}))`;
	}

	/** Distinct members active (message, voice, reaction added) in the range (and in the previous period). */
	private activeMembers(guildId: string, options: ReportOptions, plan: Plan, previousPlan: Plan | null = null): Promise<{ current: number; previous: number }> {
		return this.distinctMembers(guildId, options, plan, 'last_at', (table) => ACTIVE_MEMBER(table), previousPlan);
	}

	/**
	 * Distinct members with activity in the range. When nobody was active after the range (every
	 * /guildstats range ends now), "active in the range" = "last active at or after its start": one
	 * index range over stats_member_totals. Otherwise the member rows of the range are counted.
	 */
	private async distinctMembers(
		guildId: string,
		options: ReportOptions,
		plan: Plan,
		lastColumn: 'last_at' | 'voice_last_at',
		active: Where,
		previousPlan: Plan | null = null
	): Promise<{ current: number; previous: number }> {
		const members = membersWhere(options.members);
		const last = sql.ref(`t.${lastColumn}`);
		const latest = await this.rows(sql`select max(${last}) as latest from ${sql.table(TABLES.memberTotals)} as t where t.guild_id = ${guildId}`);
		if (latest[0].latest === null || latest[0].latest === undefined || n(latest[0].latest) === 0) return { current: 0, previous: 0 };
		const inRows = (period: 0 | 1, rangePlan: Plan) =>
			sql`select ${sql.lit(period)} as period, count(distinct user_id) as n from (${this.branches(FAMILIES.member, rangePlan, guildId, sql`user_id`, (table) => sql`${active(table)} and ${members(table)} and ${NOT_OPTED_OUT(`${table}.user_id`)}`)}) as s`;
		// The previous period never ends now: always counted from its rows, in the same statement.
		const previous = previousPlan ? sql` union all ${inRows(1, previousPlan)}` : sql``;
		const current =
			n(latest[0].latest) < planEndMs(plan)
				? sql`select 0 as period, count(*) as n from ${sql.table(TABLES.memberTotals)} as t
					where t.guild_id = ${guildId} and ${last} >= ${planStartMs(plan)} and ${members('t')} and ${NOT_OPTED_OUT('t.user_id')}`
				: inRows(0, plan);
		const counts = byPeriod(await this.rows(sql`${current}${previous}`));
		return { current: n(counts[0].n), previous: n(counts[1].n) };
	}

	public async timeSeries(guildId: string, options: ReportOptions): Promise<SeriesPoint[]> {
		const opts = normalize(options);
		const ctx = await this.seriesContext(guildId, opts);
		if (!ctx) return [];
		const members = membersWhere(opts.members);
		const points: SeriesPoint[] = ctx.keys.map((key) => ({
			start: ctx.bucketer.bucketStart(key, ctx.bucket),
			messages: 0,
			activeMembers: 0,
			voiceMinutes: 0,
			reactions: 0,
			joins: 0,
			leaves: 0
		}));
		const voiceSeconds = new Array<number>(points.length).fill(0);
		// Local-day active counts made from per-member hourly rows (below): days before those rows read whole UTC days.
		const activeFromMemberRows = ctx.bucket === 'day' && !opts.userIds && (await this.guildTimezone(guildId)) !== ctx.bucketer.timeZone;
		const { hourly, daily } = opts.userIds
			? await this.timeRows(
					FAMILIES.member,
					guildId,
					ctx,
					sql`sum(messages) as messages, sum(voice_seconds) as voice_seconds, sum(reactions_given) as reactions, 0 as joins, 0 as leaves,
						count(distinct case when messages > 0 or voice_seconds > 0 or reactions_given > 0 then user_id end) as active`,
					this.peopleWhere(opts, opts.userIds)
				)
			: await this.timeRows(
					FAMILIES.guild,
					guildId,
					ctx,
					sql`sum(messages) as messages, sum(voice_seconds) as voice_seconds, sum(reactions) as reactions, sum(joins) as joins, sum(leaves) as leaves, sum(active_members) as active`,
					members,
					undefined,
					activeFromMemberRows ? ctx.memberFloorHour : ctx.floorHour
				);
		const add = (index: number, row: Row, withActive: boolean) => {
			const point = points[index];
			point.messages += n(row.messages);
			point.reactions += n(row.reactions);
			point.joins += n(row.joins);
			point.leaves += n(row.leaves);
			voiceSeconds[index] += n(row.voice_seconds);
			if (withActive) point.activeMembers += n(row.active);
		};
		for (const row of hourly) add(this.indexOfHour(ctx, n(row.t)), row, ctx.bucket === 'hour');
		const localActive = ctx.bucket === 'day' ? await this.localDayActive(guildId, ctx, opts) : null;
		for (const row of daily) add(this.indexOfHour(ctx, n(row.t) * 24), row, ctx.bucket === 'hour' || !localActive!.complete);
		if (localActive) {
			for (const [localDay, count] of localActive.counts) {
				const index = ctx.index.get(localDay);
				if (index !== undefined) points[index].activeMembers += count;
			}
		}
		points.forEach((point, index) => (point.voiceMinutes = voiceMinutes(voiceSeconds[index])));
		return points;
	}

	/**
	 * Distinct active members per local day. When the report's timezone is the guild's own, these
	 * were counted at flush time (stats_guild_local_daily, `complete`: covers old days too);
	 * otherwise they are counted now from the hourly member rows, with a bucket expression that
	 * applies the zone's offsets (DST included) in SQL.
	 */
	private async localDayActive(guildId: string, ctx: SeriesContext, options: ReportOptions): Promise<{ counts: Map<number, number>; complete: boolean }> {
		const counts = new Map<number, number>();
		const guildZone = await this.guildTimezone(guildId);
		if (guildZone === ctx.bucketer.timeZone && !options.userIds) {
			const first = ctx.keys[0];
			const last = ctx.keys[ctx.keys.length - 1];
			const rows = await this.rows(sql`
				select local_day, sum(active_members) as n from ${sql.table(TABLES.localDaily)}
				where guild_id = ${guildId} and local_day >= ${first} and local_day <= ${last} and ${membersWhere(options.members)(TABLES.localDaily)}
				group by local_day`);
			for (const row of rows) counts.set(n(row.local_day), n(row.n));
			return { counts, complete: true };
		}
		const from = Math.max(ctx.fromHour, ctx.memberFloorHour);
		if (from >= ctx.toHour) return { counts, complete: false };
		const table = tableName(FAMILIES.member, 'hourly');
		const bucketExpr = localDayExpression(ctx.bucketer, from, ctx.toHour);
		const rows = await this.rows(sql`
			select ${bucketExpr} as b, count(distinct m.user_id) as n from ${sql.table(table)} as m
			where m.guild_id = ${guildId} and m.hour >= ${from} and m.hour < ${ctx.toHour} and ${ACTIVE_MEMBER('m')} and ${membersWhere(options.members)('m')} and ${NOT_OPTED_OUT('m.user_id')}
				and ${options.userIds ? this.usersIn('m.user_id', options.userIds) : TRUE}
			group by ${bucketExpr}`);
		for (const row of rows) counts.set(n(row.b), n(row.n));
		return { counts, complete: false };
	}

	public async top(guildId: string, options: TopOptions): Promise<TopEntry[]> {
		const opts = normalize(options);
		const limit = Math.max(1, Math.min(100, Math.floor(options.limit ?? 10)));
		const plan = planWithFloors(opts.range, await this.floors());
		const metric = TOP_METRICS[options.by];
		if (!metric) throw new RangeError(`unknown top metric: ${options.by}`);
		const members = membersWhere(opts.members);
		if (options.target === 'members') {
			const people: Where = opts.userIds ? this.peopleWhere(opts, opts.userIds) : (table) => sql`${members(table)} and ${NOT_OPTED_OUT(`${table}.user_id`)}`;
			return this.topByBounds(guildId, plan, metric, limit, {
				totals: TABLES.memberTotals,
				id: 'user_id',
				family: FAMILIES.member,
				columns: sql`user_id as id, messages, voice_seconds, reactions_given as reactions`,
				where: people,
				candidates: people,
				index: 'user'
			});
		}
		if (options.target !== 'channels') throw new RangeError(`unknown top target: ${options.target}`);
		if (opts.userIds) {
			// Channels ranked by what these members did in them (messages per member, channel and hour).
			const columns = sql`channel_id as id, messages, 0 as voice_seconds, 0 as reactions`;
			if (metric.column !== 'messages') throw new RangeError('channels of a set of members are ranked by messages only');
			return this.ranked(this.branches(FAMILIES.message, plan, guildId, columns, this.peopleWhere(opts, opts.userIds)), metric.column, limit);
		}
		return this.topByBounds(guildId, plan, metric, limit, {
			totals: TABLES.channelTotals,
			id: 'channel_id',
			family: FAMILIES.channel,
			columns: sql`channel_id as id, messages, voice_seconds, reactions`,
			where: members,
			// Channel bounds cover humans and bots together: still upper bounds for either.
			candidates: () => TRUE,
			index: 'channel'
		});
	}

	/**
	 * Top members/channels without grouping every row of the range: candidates are those active
	 * since the range start, ordered by their all-time sum (an upper bound of their sum in any
	 * range, since these counters never decrease); exact range sums are computed for the first K.
	 * Once the best bound left out is below the limit-th exact sum, nobody left out can make the
	 * list, so it is exact. Otherwise K grows (x4), and past 3200 everything is grouped.
	 */
	private async topByBounds(
		guildId: string,
		plan: Plan,
		metric: TopMetricSpec,
		limit: number,
		source: { totals: string; id: 'user_id' | 'channel_id'; family: CounterFamily; columns: RawBuilder<unknown>; where: Where; candidates: Where; index: IndexHint }
	): Promise<TopEntry[]> {
		const bound = sql.ref(`t.${metric.bound}`);
		for (let k = Math.max(50, limit * 5); k <= 3200; k *= 4) {
			const candidates = await this.rows(sql`
				select ${sql.ref(`t.${source.id}`)} as id, ${bound} as bound from ${sql.table(source.totals)} as t
				where t.guild_id = ${guildId} and t.last_at >= ${planStartMs(planFor(source.family, plan))} and ${bound} > 0 and ${source.candidates('t')}
				order by ${bound} desc, ${sql.ref(`t.${source.id}`)} limit ${k + 1}`);
			if (candidates.length === 0) return [];
			const ids = candidates.slice(0, k).map((row) => String(row.id));
			const ranked = await this.ranked(
				this.branches(source.family, plan, guildId, source.columns, (table) => sql`${sql.ref(`${table}.${source.id}`)} in (${sql.join(ids)}) and ${source.where(table)}`, source.index),
				metric.column,
				limit
			);
			if (candidates.length <= k) return ranked;
			const threshold = ranked.length === limit ? ranked[limit - 1].value : 0;
			if (n(candidates[k].bound) < threshold) return ranked;
		}
		return this.ranked(this.branches(source.family, plan, guildId, source.columns, source.where), metric.column, limit);
	}

	/** Groups `source` (id, messages, voice_seconds, reactions) by id and ranks by `column`. */
	private async ranked(source: RawBuilder<unknown>, column: string, limit: number): Promise<TopEntry[]> {
		const rows = await this.rows(sql`
			select id, sum(messages) as messages, sum(voice_seconds) as voice_seconds, sum(reactions) as reactions
			from (${source}) as s group by id having sum(${sql.ref(column)}) > 0
			order by sum(${sql.ref(column)}) desc, id limit ${limit}`);
		return rows.map((row) => ({
			id: String(row.id),
			value: n(row[column]),
			messages: n(row.messages),
			voiceSeconds: n(row.voice_seconds),
			reactions: n(row.reactions)
		}));
	}

	public async serverReport(guildId: string, options: ReportOptions, limit = 10): Promise<ServerReport> {
		const overview = await this.overview(guildId, options);
		const series = await this.timeSeries(guildId, options);
		const topChannels = await this.top(guildId, { ...options, target: 'channels', by: 'messages', limit });
		const topMembers = await this.top(guildId, { ...options, target: 'members', by: 'messages', limit });
		return { overview, series, topChannels, topMembers };
	}

	public async memberStats(guildId: string, userId: string, options: ReportOptions): Promise<MemberStats> {
		const opts = normalize(options);
		const empty: MemberStats = { userId, optedOut: false, totals: { messages: 0, voiceSeconds: 0, reactionsGiven: 0, reactionsReceived: 0 }, series: [], topChannels: [] };
		const optOut = await this.rows(sql`select 1 as x from ${sql.table(TABLES.optOuts)} where user_id = ${userId}`);
		if (optOut.length > 0) return { ...empty, optedOut: true };
		const plan = planWithFloors(opts.range, await this.floors());
		const mine: Where = (table) => sql`${sql.ref(`${table}.user_id`)} = ${userId}`;
		const before = previousRange(opts.range);
		const previousPlan = before ? planWithFloors(before, await this.floors()) : null;
		const totals = byPeriod(
			await this.rows(sql`
			select period, coalesce(sum(messages), 0) as messages, coalesce(sum(voice_seconds), 0) as voice_seconds,
				coalesce(sum(reactions_given), 0) as given, coalesce(sum(reactions_received), 0) as received
			from (${this.periodBranches(FAMILIES.member, plan, previousPlan, guildId, sql`messages, voice_seconds, reactions_given, reactions_received`, mine, 'user')}) as s
			group by period`)
		);
		const ctx = await this.seriesContext(guildId, opts);
		const series: MemberStats['series'] = [];
		if (ctx) {
			const { hourly, daily } = await this.timeRows(FAMILIES.member, guildId, ctx, sql`sum(messages) as messages, sum(voice_seconds) as voice_seconds, sum(reactions_given) as given`, mine, 'user');
			const voice = new Array<number>(ctx.keys.length).fill(0);
			for (const key of ctx.keys) series.push({ start: ctx.bucketer.bucketStart(key, ctx.bucket), messages: 0, voiceMinutes: 0, reactionsGiven: 0 });
			for (const [rows, scale] of [
				[hourly, 1],
				[daily, 24]
			] as const) {
				for (const row of rows) {
					const index = this.indexOfHour(ctx, n(row.t) * scale);
					series[index].messages += n(row.messages);
					series[index].reactionsGiven += n(row.given);
					voice[index] += n(row.voice_seconds);
				}
			}
			series.forEach((point, index) => (point.voiceMinutes = voiceMinutes(voice[index])));
		}
		const channels = await this.rows(sql`
			select channel_id, sum(messages) as messages, sum(voice_seconds) as voice_seconds from (
				select channel_id, messages, 0 as voice_seconds from (${this.branches(FAMILIES.message, plan, guildId, sql`channel_id, messages`, mine, 'user')}) as m
				union all
				select channel_id, 0 as messages, voice_seconds from (${this.branches(FAMILIES.voice, plan, guildId, sql`channel_id, seconds as voice_seconds`, mine, 'user')}) as v
			) as s group by channel_id order by sum(messages) desc, sum(voice_seconds) desc, channel_id limit 10`);
		const memberTotals = (row: Row) => ({ messages: n(row.messages), voiceSeconds: n(row.voice_seconds), reactionsGiven: n(row.given), reactionsReceived: n(row.received) });
		return {
			userId,
			optedOut: false,
			totals: memberTotals(totals[0]),
			previousTotals: previousPlan ? memberTotals(totals[1]) : null,
			series,
			topChannels: channels.map((channel) => ({ channelId: String(channel.channel_id), messages: n(channel.messages), voiceSeconds: n(channel.voice_seconds) }))
		};
	}

	/**
	 * A channel's figures; a parent channel's include its threads. A thread id is recognised by
	 * its rows (messages are stored under the parent with the thread id alongside).
	 */
	public async channelStats(guildId: string, channelId: string, options: ReportOptions): Promise<ChannelStats> {
		const opts = normalize(options);
		const plan = planWithFloors(opts.range, await this.floors());
		const members = membersWhere(opts.members);
		const threadProbe = await this.rows(sql`
			select 1 as x from ${sql.table(tableName(FAMILIES.message, 'daily'))}
			where guild_id = ${guildId} and thread_id = ${channelId} and thread_id <> '' limit 1`);
		const thread = threadProbe.length > 0;
		const people: Where = (table) => sql`${members(table)} and ${NOT_OPTED_OUT(`${table}.user_id`)}`;
		const inChannel: Where = thread
			? (table) => sql`${sql.ref(`${table}.thread_id`)} = ${channelId} and ${sql.ref(`${table}.thread_id`)} <> '' and ${people(table)}`
			: (table) => sql`${sql.ref(`${table}.channel_id`)} = ${channelId} and ${people(table)}`;
		const textIndex: IndexHint = thread ? 'thread' : 'channel';
		const inVoice: Where = (table) => sql`${sql.ref(`${table}.channel_id`)} = ${channelId} and ${people(table)}`;

		const before = previousRange(opts.range);
		const previousPlan = before ? planWithFloors(before, await this.floors()) : null;
		let totals: ChannelStats['totals'];
		let previousTotals: ChannelStats['totals'] | null = null;
		if (thread) {
			const rows = byPeriod(
				await this.rows(sql`
				select period, coalesce(sum(messages), 0) as messages, count(distinct user_id) as active
				from (${this.periodBranches(FAMILIES.message, plan, previousPlan, guildId, sql`user_id, messages`, inChannel, textIndex)}) as s group by period`)
			);
			const of = (row: Row) => ({ messages: n(row.messages), activeMembers: n(row.active), voiceSeconds: 0, reactions: 0 });
			totals = of(rows[0]);
			if (previousPlan) previousTotals = of(rows[1]);
		} else {
			const sums = byPeriod(
				await this.rows(sql`
				select period, coalesce(sum(messages), 0) as messages, coalesce(sum(voice_seconds), 0) as voice_seconds, coalesce(sum(reactions), 0) as reactions
				from (${this.periodBranches(FAMILIES.channel, plan, previousPlan, guildId, sql`messages, voice_seconds, reactions`, (table) => sql`channel_id = ${channelId} and ${members(table)}`, 'channel')}) as s
				group by period`)
			);
			const active = byPeriod(
				await this.rows(sql`
				select period, count(distinct user_id) as n from (
					select period, user_id from (${this.periodBranches(FAMILIES.message, plan, previousPlan, guildId, sql`user_id`, (table) => sql`${inChannel(table)} and messages > 0`, textIndex)}) as m
					union all
					select period, user_id from (${this.periodBranches(FAMILIES.voice, plan, previousPlan, guildId, sql`user_id`, (table) => sql`${inVoice(table)} and seconds > 0`, 'channel')}) as v
					union all
					select period, user_id from (${this.periodBranches(FAMILIES.reaction, plan, previousPlan, guildId, sql`user_id`, (table) => sql`${inVoice(table)} and given > 0`, 'channel')}) as r
				) as s group by period`)
			);
			const of = (period: 0 | 1) => ({ messages: n(sums[period].messages), activeMembers: n(active[period].n), voiceSeconds: n(sums[period].voice_seconds), reactions: n(sums[period].reactions) });
			totals = of(0);
			if (previousPlan) previousTotals = of(1);
		}

		const ctx = await this.seriesContext(guildId, opts);
		const series: ChannelStats['series'] = [];
		if (ctx) {
			const { hourly, daily } = thread
				? await this.timeRows(FAMILIES.message, guildId, ctx, sql`sum(messages) as messages, 0 as voice_seconds`, inChannel, 'thread')
				: await this.timeRows(FAMILIES.channel, guildId, ctx, sql`sum(messages) as messages, sum(voice_seconds) as voice_seconds`, (table) => sql`channel_id = ${channelId} and ${members(table)}`, 'channel');
			const voice = new Array<number>(ctx.keys.length).fill(0);
			for (const key of ctx.keys) series.push({ start: ctx.bucketer.bucketStart(key, ctx.bucket), messages: 0, voiceMinutes: 0 });
			for (const [rows, scale] of [
				[hourly, 1],
				[daily, 24]
			] as const) {
				for (const row of rows) {
					const index = this.indexOfHour(ctx, n(row.t) * scale);
					series[index].messages += n(row.messages);
					voice[index] += n(row.voice_seconds);
				}
			}
			series.forEach((point, index) => (point.voiceMinutes = voiceMinutes(voice[index])));
		}

		const voiceBranch = thread
			? sql``
			: sql`union all select user_id, 0 as messages, voice_seconds from (${this.branches(FAMILIES.voice, plan, guildId, sql`user_id, seconds as voice_seconds`, inVoice, 'channel')}) as v`;
		const top = await this.rows(sql`
			select user_id, sum(messages) as messages, sum(voice_seconds) as voice_seconds from (
				select user_id, messages, 0 as voice_seconds from (${this.branches(FAMILIES.message, plan, guildId, sql`user_id, messages`, inChannel, textIndex)}) as m
				${voiceBranch}
			) as s group by user_id order by sum(messages) desc, sum(voice_seconds) desc, user_id limit 10`);
		return {
			channelId,
			thread,
			totals,
			previousTotals,
			series,
			topMembers: top.map((row) => ({ userId: String(row.user_id), messages: n(row.messages), voiceSeconds: n(row.voice_seconds) }))
		};
	}

	/** Weekday x hour-of-day in the timezone, from hourly rows (days older than hourly retention have no hours). */
	public async heatmap(guildId: string, options: ReportOptions & { metric?: 'messages' | 'voice' }): Promise<Heatmap> {
		const opts = normalize(options);
		const metric = options.metric ?? 'messages';
		const cells = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
		const { fromHour, toHour } = rangeHours(opts.range);
		const floors = await this.floors();
		// A role's heatmap reads per-member rows, kept hourly for a shorter time.
		const floor = opts.userIds ? floors.memberHour : floors.hour;
		const from = Math.max(fromHour, floor);
		// The previous period's hours come with the same statement (rows before `from`); null when there is no
		// previous period or some of its hours are no longer kept hourly (a partial total would mislead).
		const before = previousRange(opts.range);
		const previousFrom = before && rangeHours(before).fromHour >= floor ? rangeHours(before).fromHour : null;
		let previousTotal: number | null = previousFrom === null ? null : 0;
		const readFrom = previousFrom ?? from;
		if (from < toHour) {
			const memberTable = tableName(FAMILIES.member, 'hourly');
			const rows = opts.userIds
				? await this.rows(sql`
				select hour, sum(messages) as messages, sum(voice_seconds) as voice_seconds from ${sql.table(memberTable)}
				where guild_id = ${guildId} and hour >= ${readFrom} and hour < ${toHour} and ${this.peopleWhere(opts, opts.userIds)(memberTable)}
				group by hour`)
				: await this.rows(sql`
				select hour, sum(messages) as messages, sum(voice_seconds) as voice_seconds from ${sql.table(tableName(FAMILIES.guild, 'hourly'))}
				where guild_id = ${guildId} and hour >= ${readFrom} and hour < ${toHour} and ${membersWhere(opts.members)(tableName(FAMILIES.guild, 'hourly'))}
				group by hour`);
			const bucketer = new HourBucketer(opts.timezone, from, toHour);
			let previous = 0;
			for (const row of rows) {
				const hour = n(row.hour);
				const value = metric === 'messages' ? n(row.messages) : n(row.voice_seconds) / 60;
				if (hour < from) previous += value;
				else cells[bucketer.weekday(hour)][bucketer.hourOfDay(hour)] += value;
			}
			if (previousTotal !== null) previousTotal = Math.round(previous);
		}
		let max = 0;
		let total = 0;
		for (const line of cells) {
			for (let index = 0; index < line.length; index++) {
				line[index] = Math.round(line[index]);
				max = Math.max(max, line[index]);
				total += line[index];
			}
		}
		return { metric, timezone: opts.timezone, cells, max, total, previousTotal };
	}

	public async voiceStats(guildId: string, options: ReportOptions): Promise<VoiceStats> {
		const opts = normalize(options);
		const plan = planWithFloors(opts.range, await this.floors());
		const members = membersWhere(opts.members);
		const before = previousRange(opts.range);
		const previousPlan = before ? planWithFloors(before, await this.floors()) : null;
		const sums = byPeriod(
			await this.rows(sql`
			select period, coalesce(sum(voice_seconds), 0) as seconds, coalesce(sum(voice_muted_seconds), 0) as muted, coalesce(sum(voice_deafened_seconds), 0) as deafened,
				coalesce(sum(voice_streaming_seconds), 0) as streaming, coalesce(sum(voice_sessions), 0) as sessions
			from (${this.periodBranches(FAMILIES.guild, plan, previousPlan, guildId, sql`voice_seconds, voice_muted_seconds, voice_deafened_seconds, voice_streaming_seconds, voice_sessions`, members)}) as s
			group by period`)
		);
		const voiceMembers = await this.distinctMembers(guildId, opts, plan, 'voice_last_at', (table) => sql`${sql.ref(`${table}.voice_seconds`)} > 0`, previousPlan);
		const ctx = await this.seriesContext(guildId, opts);
		const series: VoiceStats['series'] = [];
		if (ctx) {
			const { hourly, daily } = await this.timeRows(
				FAMILIES.guild,
				guildId,
				ctx,
				sql`sum(voice_seconds) as seconds, sum(voice_muted_seconds) as muted, sum(voice_streaming_seconds) as streaming`,
				members
			);
			const acc = ctx.keys.map(() => [0, 0, 0]);
			for (const [rows, scale] of [
				[hourly, 1],
				[daily, 24]
			] as const) {
				for (const row of rows) {
					const slot = acc[this.indexOfHour(ctx, n(row.t) * scale)];
					slot[0] += n(row.seconds);
					slot[1] += n(row.muted);
					slot[2] += n(row.streaming);
				}
			}
			ctx.keys.forEach((key, index) =>
				series.push({
					start: ctx.bucketer.bucketStart(key, ctx.bucket),
					minutes: Math.round(acc[index][0] / 60),
					mutedMinutes: Math.round(acc[index][1] / 60),
					streamingMinutes: Math.round(acc[index][2] / 60)
				})
			);
		}
		const totals = (period: 0 | 1, members: number) => {
			const row = sums[period];
			return {
				seconds: n(row.seconds),
				mutedSeconds: n(row.muted),
				deafenedSeconds: n(row.deafened),
				streamingSeconds: n(row.streaming),
				sessions: n(row.sessions),
				members
			};
		};
		return {
			totals: totals(0, voiceMembers.current),
			previousTotals: previousPlan ? totals(1, voiceMembers.previous) : null,
			series,
			topChannels: await this.top(guildId, { ...opts, target: 'channels', by: 'voice' }),
			topMembers: await this.top(guildId, { ...opts, target: 'members', by: 'voice' })
		};
	}

	public async growth(guildId: string, options: ReportOptions): Promise<GrowthReport> {
		const opts = normalize(options);
		const plan = planWithFloors(opts.range, await this.floors());
		const members = membersWhere(opts.members);
		const before = previousRange(opts.range);
		const previousPlan = before ? planWithFloors(before, await this.floors()) : null;
		const sums = byPeriod(
			await this.rows(sql`
			select period, coalesce(sum(joins), 0) as joins, coalesce(sum(leaves), 0) as leaves
			from (${this.periodBranches(FAMILIES.guild, plan, previousPlan, guildId, sql`joins, leaves`, members)}) as s group by period`)
		);
		const ctx = await this.seriesContext(guildId, opts);
		const series: GrowthReport['series'] = [];
		if (ctx) {
			const { hourly, daily } = await this.timeRows(FAMILIES.guild, guildId, ctx, sql`sum(joins) as joins, sum(leaves) as leaves`, members);
			const acc = ctx.keys.map(() => [0, 0]);
			for (const [rows, scale] of [
				[hourly, 1],
				[daily, 24]
			] as const) {
				for (const row of rows) {
					const slot = acc[this.indexOfHour(ctx, n(row.t) * scale)];
					slot[0] += n(row.joins);
					slot[1] += n(row.leaves);
				}
			}
			let cumulative = 0;
			ctx.keys.forEach((key, index) => {
				const net = acc[index][0] - acc[index][1];
				cumulative += net;
				series.push({ start: ctx.bucketer.bucketStart(key, ctx.bucket), joins: acc[index][0], leaves: acc[index][1], net, cumulative });
			});
		}
		const totals = (period: 0 | 1) => ({ joins: n(sums[period].joins), leaves: n(sums[period].leaves), net: n(sums[period].joins) - n(sums[period].leaves) });
		return { totals: totals(0), previousTotals: previousPlan ? totals(1) : null, series };
	}

	/*
	 * Plumbing.
	 */

	private async rows(query: RawBuilder<unknown>): Promise<Row[]> {
		const result = await query.execute(this.db);
		return result.rows as Row[];
	}

	/**
	 * `select <columns> from <daily> where guild and whole days ... union all select <columns> from
	 * <hourly> where guild and edge hours ...` following the range plan.
	 */
	private branches(family: CounterFamily, rangePlan: Plan, guildId: string, columns: RawBuilder<unknown>, where: Where, index?: IndexHint): RawBuilder<unknown> {
		const plan = planFor(family, rangePlan);
		const parts: RawBuilder<unknown>[] = [];
		if (plan.days) {
			const table = tableName(family, 'daily');
			parts.push(sql`select ${columns} from ${this.from(table, index)} where guild_id = ${guildId} and day >= ${plan.days.fromDay} and day < ${plan.days.toDay} and ${where(table)}`);
		}
		for (const span of plan.hours) {
			const table = tableName(family, 'hourly');
			parts.push(sql`select ${columns} from ${this.from(table, index)} where guild_id = ${guildId} and hour >= ${span.from} and hour < ${span.to} and ${where(table)}`);
		}
		return sql.join(parts, sql` union all `);
	}

	/**
	 * `branches` of the range as `period` 0 and, when given, of the previous period as `period` 1, in
	 * one union: the caller groups by period, so both periods cost one statement.
	 */
	private periodBranches(family: CounterFamily, plan: Plan, previousPlan: Plan | null, guildId: string, columns: RawBuilder<unknown>, where: Where, index?: IndexHint): RawBuilder<unknown> {
		const current = this.branches(family, plan, guildId, sql`0 as period, ${columns}`, where, index);
		if (!previousPlan) return current;
		return sql`${current} union all ${this.branches(family, previousPlan, guildId, sql`1 as period, ${columns}`, where, index)}`;
	}

	/**
	 * `table`, with SQLite told which index to use for per-member/channel/thread reads: without
	 * statistics its planner prefers the clustered primary key (guild, time) and scans the whole
	 * guild range instead of the few rows of one member. PostgreSQL plans from its own statistics.
	 */
	private from(table: string, index?: IndexHint): RawBuilder<unknown> {
		if (!index || this.dialect !== 'sqlite') return sql.table(table);
		return sql`${sql.table(table)} indexed by ${sql.id(`${table}_${index}`)}`;
	}

	/** Rows grouped per hour (hours still held hourly) and per UTC day (older days), for series. */
	private async timeRows(
		family: CounterFamily,
		guildId: string,
		ctx: SeriesContext,
		sums: RawBuilder<unknown>,
		where: Where,
		index?: IndexHint,
		floorHour: number = isPerMemberFamily(family) ? ctx.memberFloorHour : ctx.floorHour
	): Promise<{ hourly: Row[]; daily: Row[] }> {
		const hourlyTable = tableName(family, 'hourly');
		const from = Math.max(ctx.fromHour, floorHour);
		const hourly =
			from < ctx.toHour
				? await this.rows(sql`
					select hour as t, ${sums} from ${this.from(hourlyTable, index)}
					where guild_id = ${guildId} and hour >= ${from} and hour < ${ctx.toHour} and ${where(hourlyTable)} group by hour`)
				: [];
		let daily: Row[] = [];
		if (ctx.fromHour < floorHour) {
			const dailyTable = tableName(family, 'daily');
			const toDay = Math.min(dayOfHour(floorHour), Math.ceil(ctx.toHour / 24));
			daily = await this.rows(sql`
				select day as t, ${sums} from ${this.from(dailyTable, index)}
				where guild_id = ${guildId} and day >= ${dayOfHour(ctx.fromHour)} and day < ${toDay} and ${where(dailyTable)} group by day`);
		}
		return { hourly, daily };
	}

	private async seriesContext(guildId: string, options: ReportOptions): Promise<SeriesContext | null> {
		const floors = await this.floors();
		let { fromHour, toHour } = rangeHours(options.range);
		if (toHour - fromHour > MAX_UNCLAMPED_HOURS) {
			const first = await this.rows(sql`select min(day) as first from ${sql.table(tableName(FAMILIES.guild, 'daily'))} where guild_id = ${guildId}`);
			if (first[0].first === null || first[0].first === undefined) return null;
			fromHour = Math.max(fromHour, n(first[0].first) * 24);
			if (fromHour >= toHour) return null;
		}
		const bucketer = new HourBucketer(options.timezone, fromHour, toHour);
		if (options.bucket === 'day') {
			// Whole local days, so the first and last buckets are not partial.
			fromHour = bucketer.firstHourOfLocalDay(bucketer.localDay(fromHour));
			toHour = bucketer.firstHourOfLocalDay(bucketer.localDay(toHour - 1) + 1);
		}
		const keys = bucketer.bucketKeys(fromHour, toHour, options.bucket);
		return { bucket: options.bucket, bucketer, fromHour, toHour, floorHour: floors.hour, memberFloorHour: floors.memberHour, keys, index: new Map(keys.map((key, index) => [key, index])) };
	}

	private indexOfHour(ctx: SeriesContext, hour: number): number {
		const clamped = Math.min(Math.max(hour, ctx.fromHour), ctx.toHour - 1);
		return ctx.index.get(ctx.bucketer.bucketOf(clamped, ctx.bucket)) ?? 0;
	}

	/** Stored counts of the guild per bucket, for `/guildstats export` (opted-out members left out). */
	public async exportRows(guildId: string, range: ExportRange): Promise<ExportRows> {
		return readExportRows(this.db, guildId, range, range.granularity === 'hourly' ? (await this.floors()).memberHour : 0);
	}

	/** Latest activity (epoch ms) of every member with any, for `/guildstats inactive` (opted-out members left out). */
	public lastActivity(guildId: string): Promise<Map<string, number>> {
		return readLastActivity(this.db, guildId);
	}
}

/** The period of the same length just before `range`; null for a range from the beginning (nothing before it). */
export function previousRange(range: TimeRange): TimeRange | null {
	if (range.from <= 0) return null;
	return { from: Math.max(0, range.from - (range.to - range.from)), to: range.from };
}

/** Rows of a `group by period` query as [period 0, period 1]; a period without rows reads as zeros. */
function byPeriod(rows: Row[]): [Row, Row] {
	const of = (period: number) => rows.find((row) => n(row.period) === period) ?? {};
	return [of(0), of(1)];
}

function membersWhere(filter: MembersFilter): Where {
	if (filter === 'both') return () => TRUE;
	const value = filter === 'bots' ? 1 : 0;
	return (table) => sql`${sql.ref(`${table}.bot`)} = ${sql.lit(value)}`;
}

/** SQL for "local day of this UTC hour" over a span: one CASE arm per DST segment, integer maths only. */
function localDayExpression(bucketer: HourBucketer, fromHour: number, toHour: number): RawBuilder<unknown> {
	const segments = bucketer.segmentsIn(fromHour, toHour);
	const day = (offset: number) => sql`((m.hour * 60 + (${sql.lit(offset)})) / 1440)`;
	if (segments.length === 1) return day(segments[0].offset);
	const arms = segments.slice(0, -1).map((segment, index) => sql`when m.hour < ${sql.lit(segments[index + 1].fromHour)} then ${day(segment.offset)}`);
	return sql`(case ${sql.join(arms, sql` `)} else ${day(segments[segments.length - 1].offset)} end)`;
}

function normalize<T extends ReportOptions>(options: T): T {
	if (!['humans', 'bots', 'both'].includes(options.members)) throw new RangeError(`unknown members filter: ${options.members}`);
	if (options.bucket !== 'hour' && options.bucket !== 'day') throw new RangeError(`unknown bucket: ${options.bucket}`);
	rangeHours(options.range);
	return { ...options, timezone: canonicalTimeZone(options.timezone) };
}
