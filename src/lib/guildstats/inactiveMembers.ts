import { UserError } from '@sapphire/framework';
import type { APIEmbed } from 'discord.js';
import { stringify } from 'csv-stringify/sync';
import { formatNumber } from '#lib/charts/formatNumber.js';
import { DAY_MS } from '#lib/stats/timeBuckets.js';
import type { MemberRecord } from './memberList.js';
import { EMBED_COLOR, fieldLines } from './reportEmbed.js';

/*
 * `/guildstats inactive`: current human members (optionally of one role) with no message, voice
 * time or reaction since N days ago, from the member list against the store's last-activity times.
 */

export const INACTIVE_MAX_DAYS = 365;
/** Members listed in the embed; the CSV has all of them. */
export const INACTIVE_EMBED_ITEMS = 25;

export interface InactiveMember {
	id: string;
	username: string;
	displayName: string;
	joinedAt: number | null;
	/** Epoch ms of the latest activity the store knows, or null: never seen active. */
	lastActiveAt: number | null;
}

export interface InactiveReport {
	days: number;
	/** Start of the quiet window (epoch ms). */
	since: number;
	/** Human members checked (holding the role when one was given), opted-out ones included. */
	checked: number;
	/** Longest quiet first: never seen, then oldest last activity; ties by id. */
	inactive: InactiveMember[];
	/** Opted-out members among those checked: never listed, counted apart. */
	optedOut: number;
	role: { id: string; name: string } | null;
}

export interface InactiveQuery {
	days: number;
	now: number;
	role?: { id: string; name: string } | null;
	isOptedOut(userId: string): boolean;
}

export function validateInactiveDays(days: number): number {
	if (!Number.isInteger(days) || days < 1 || days > INACTIVE_MAX_DAYS) {
		throw new UserError({ identifier: 'GuildStatsInvalidDays', message: `\`days\` must be a whole number from 1 to ${INACTIVE_MAX_DAYS} (got \`${String(days).slice(0, 12)}\`).` });
	}
	return days;
}

/** One pass over the member list with a map lookup each: O(members), no query per member. */
export function findInactiveMembers(members: readonly MemberRecord[], lastActivity: ReadonlyMap<string, number>, query: InactiveQuery): InactiveReport {
	const since = query.now - query.days * DAY_MS;
	const role = query.role ?? null;
	const inactive: InactiveMember[] = [];
	let checked = 0;
	let optedOut = 0;
	for (const member of members) {
		if (member.bot) continue;
		if (role && !member.roleIds.includes(role.id)) continue;
		checked += 1;
		if (query.isOptedOut(member.id)) {
			optedOut += 1;
			continue;
		}
		const last = lastActivity.get(member.id) ?? null;
		if (last !== null && last >= since) continue;
		inactive.push({ id: member.id, username: member.username, displayName: member.displayName, joinedAt: member.joinedAt, lastActiveAt: last });
	}
	inactive.sort((a, b) => (a.lastActiveAt ?? -1) - (b.lastActiveAt ?? -1) || compareIds(a.id, b.id));
	return { days: query.days, since, checked, inactive, optedOut, role };
}

const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The CSV attachment: one row per inactive member (columns documented in the README). */
export function inactiveCsv(report: InactiveReport): Buffer {
	const rows = report.inactive.map((member) => [
		member.id,
		member.username,
		member.displayName,
		member.joinedAt === null ? '' : new Date(member.joinedAt).toISOString(),
		member.lastActiveAt === null ? '' : new Date(member.lastActiveAt).toISOString(),
		member.lastActiveAt === null ? '' : Math.floor((report.since + report.days * DAY_MS - member.lastActiveAt) / DAY_MS)
	]);
	return Buffer.from(stringify(rows, { header: true, columns: ['user_id', 'username', 'display_name', 'joined_at', 'last_active_at', 'days_since_active'] }));
}

export function inactiveEmbed(report: InactiveReport, now: number): APIEmbed {
	const who = report.role ? `members with the role **${report.role.name}**` : 'members';
	const lines = report.inactive
		.slice(0, INACTIVE_EMBED_ITEMS)
		.map((member, i) => `${i + 1}. ${member.displayName} — ${member.lastActiveAt === null ? 'never seen active' : `last active ${isoDay(member.lastActiveAt)}`}`);
	const half = Math.ceil(lines.length / 2);
	const fields = [
		...(lines.length > 0 ? [{ name: `Quiet the longest (${lines.length} of ${formatNumber(report.inactive.length)})`, value: fieldLines(lines.slice(0, half)), inline: false }] : []),
		...(lines.length > half ? [{ name: '\u200b', value: fieldLines(lines.slice(half)), inline: false }] : [])
	];
	const description = [
		`**${formatNumber(report.inactive.length)}** of ${formatNumber(report.checked - report.optedOut)} ${who} had no message, voice time or reaction in the last ${report.days} ${report.days === 1 ? 'day' : 'days'} (since ${isoDay(report.since)}).`,
		report.optedOut > 0 ? `${formatNumber(report.optedOut)} opted-out ${report.optedOut === 1 ? 'member is' : 'members are'} not checked or listed.` : null,
		report.inactive.length > 0 ? 'The full list is attached as CSV.' : null,
		'*Bots are not counted. "Never seen active" means no activity since Nexus started recording here (or within the retention window).*'
	].filter(Boolean);
	return {
		title: `Inactive members — ${report.days} ${report.days === 1 ? 'day' : 'days'}`,
		description: description.join('\n'),
		color: EMBED_COLOR,
		fields,
		timestamp: new Date(now).toISOString()
	};
}
