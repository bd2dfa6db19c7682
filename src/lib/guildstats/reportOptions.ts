import { UserError } from '@sapphire/framework';
import { canonicalTimeZone, offsetMinutes } from '#lib/stats/HourBucketer.js';
import type { MembersFilter, ReportOptions } from '#lib/stats/statsTypes.js';
import { DAY_MS, HOUR_MS } from '#lib/stats/timeBuckets.js';

/*
 * /guildstats options -> the store's ReportOptions. Two steps, so a command can reject bad input
 * before it defers: `validateReportInput` (pure, no clock, no database) checks what the user typed;
 * `resolveReportOptions` applies the guild's timezone and the clock.
 */

export const RANGE_CHOICES = ['24h', '7d', '30d', '90d', 'all'] as const;
export type RangeChoice = (typeof RANGE_CHOICES)[number];
export const MEMBERS_CHOICES = ['humans', 'bots', 'both'] as const satisfies readonly MembersFilter[];
export const GRAPHIC_CHOICES = ['image', 'text'] as const;
export type GraphicChoice = (typeof GRAPHIC_CHOICES)[number];

const RANGE_HOURS: Record<Exclude<RangeChoice, 'all'>, number> = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24, '90d': 90 * 24 };
const RANGE_LABELS: Record<RangeChoice, string> = { '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days', '90d': 'Last 90 days', all: 'All time' };
const MEMBERS_LABELS: Record<MembersFilter, string> = { humans: 'Humans', bots: 'Bots only', both: 'Humans and bots' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Ranges up to a week get hourly buckets, longer ones daily. */
export const HOURLY_MAX_SPAN_MS = 7 * DAY_MS;
/** Discord's public launch: no guild has data before it, so an earlier `since` is a typo. */
const EARLIEST_SINCE = Date.UTC(2015, 4, 13);

/** What the user typed (null/undefined = not given). */
export interface ReportInput {
	range?: string | null;
	/** Custom start day, YYYY-MM-DD, in the guild's timezone; overrides `range`. */
	since?: string | null;
	members?: string | null;
	graphic?: string | null;
}

/** Validated options, not yet tied to a clock or timezone. */
export interface ReportRequestOptions {
	range: RangeChoice;
	since: { text: string; year: number; month: number; day: number } | null;
	members: MembersFilter;
	graphic: GraphicChoice;
	/** Only the members who hold this role now (server, top, activity). */
	role?: { id: string; name: string } | null;
}

export interface ResolvedReportOptions {
	/** What the store queries take. */
	options: ReportOptions;
	/** "Last 7 days", "Since Mar 3, 2025", "All time". */
	rangeLabel: string;
	membersLabel: string;
	/**
	 * Everything that decides the image, for the cache key. The range is named, not given in ms, and
	 * its end is the hour it ends in: identical requests within the same hour share an image.
	 */
	keyOptions: Record<string, string | number>;
}

function invalid(identifier: string, message: string): UserError {
	return new UserError({ identifier, message });
}

/** Checks the typed options; throws a UserError (shown to the user ephemerally) on bad input. */
export function validateReportInput(input: ReportInput, defaults: { range?: RangeChoice } = {}): ReportRequestOptions {
	const range = (input.range ?? defaults.range ?? '7d') as RangeChoice;
	if (!RANGE_CHOICES.includes(range)) throw invalid('GuildStatsInvalidRange', `Unknown range \`${input.range}\`: choose one of ${RANGE_CHOICES.join(', ')}, or give a start day with \`since\`.`);
	const members = (input.members ?? 'humans') as MembersFilter;
	if (!MEMBERS_CHOICES.includes(members)) throw invalid('GuildStatsInvalidMembers', `Unknown members filter \`${input.members}\`: choose humans, bots or both.`);
	const graphic = (input.graphic ?? 'image') as GraphicChoice;
	if (!GRAPHIC_CHOICES.includes(graphic)) throw invalid('GuildStatsInvalidGraphic', `Unknown graphic \`${input.graphic}\`: choose image or text.`);
	const since = input.since?.trim() ? parseSinceDay(input.since.trim()) : null;
	return { range, since, members, graphic };
}

/** `YYYY-MM-DD`, a real calendar day, not before Discord existed. */
export function parseSinceDay(text: string): NonNullable<ReportRequestOptions['since']> {
	const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
	const problem = `\`since\` must be a start day written YYYY-MM-DD, e.g. 2025-03-01 (got \`${text.slice(0, 40)}\`).`;
	if (!match) throw invalid('GuildStatsInvalidSince', problem);
	const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
	const utc = Date.UTC(year, month - 1, day);
	const check = new Date(utc);
	if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
		throw invalid('GuildStatsInvalidSince', `\`since\`: ${text} is not a calendar day.`);
	}
	if (utc < EARLIEST_SINCE) throw invalid('GuildStatsInvalidSince', '`since` is before Discord existed: pick a later start day.');
	return { text: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, year, month, day };
}

/** The UTC instant of local midnight starting `year-month-day` in `timeZone` (DST-safe). */
export function localMidnight(year: number, month: number, day: number, timeZone: string): number {
	const wall = Date.UTC(year, month - 1, day);
	// Two passes settle the offset even when midnight is next to a DST change.
	let instant = wall - offsetMinutes(timeZone, wall) * 60_000;
	instant = wall - offsetMinutes(timeZone, instant) * 60_000;
	return instant;
}

/**
 * A stored guild timezone as reports use it: canonical IANA name, or UTC if it stopped being valid
 * (rather than failing every report). Costs an Intl construction (~0.2 ms): callers keep the result.
 */
export function reportTimezone(stored: string): string {
	try {
		return canonicalTimeZone(stored);
	} catch {
		return 'UTC';
	}
}

/**
 * Applies the guild's timezone (canonical, see reportTimezone) and the clock: the range ends with
 * the current hour (so the newest bucket is the one in progress) and starts `range` before, or at
 * local midnight of `since`.
 */
export function resolveReportOptions(request: ReportRequestOptions, context: { timezone: string; now: number }): ResolvedReportOptions {
	const timezone = context.timezone;
	const endHour = Math.floor(context.now / HOUR_MS) + 1;
	const to = endHour * HOUR_MS;
	let from: number;
	let rangeLabel: string;
	let rangeKey: string;
	if (request.since) {
		const { year, month, day, text } = request.since;
		from = localMidnight(year, month, day, timezone);
		if (from >= context.now) throw invalid('GuildStatsSinceInFuture', `\`since\` ${text} has not started yet in ${timezone}: pick a day in the past.`);
		rangeLabel = `Since ${MONTHS[month - 1]} ${day}, ${year}`;
		rangeKey = `since:${text}`;
	} else if (request.range === 'all') {
		from = 0;
		rangeLabel = RANGE_LABELS.all;
		rangeKey = 'all';
	} else {
		from = to - RANGE_HOURS[request.range] * HOUR_MS;
		rangeLabel = RANGE_LABELS[request.range];
		rangeKey = request.range;
	}
	const bucket = to - from <= HOURLY_MAX_SPAN_MS ? 'hour' : 'day';
	return {
		options: { range: { from, to }, bucket, timezone, members: request.members },
		rangeLabel,
		membersLabel: MEMBERS_LABELS[request.members],
		keyOptions: { range: rangeKey, endHour, bucket, timezone, members: request.members }
	};
}
