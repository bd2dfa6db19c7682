import { UserError } from '@sapphire/framework';
import type { APIEmbedField } from 'discord.js';
import type { StatsStore } from '#lib/stats/StatsStore.js';
import { MEMBER_REPORT_VISIBILITIES, type MemberReportVisibility } from '#lib/stats/statsTypes.js';

/*
 * Who may look at a member's report (`/guildstats settings visibility member_reports:`): with
 * `self_and_admins`, only the member themselves and members with Manage Server. Server-wide reports
 * stay public either way.
 */

export type VisibilityStats = { store: Pick<StatsStore, 'setMemberReportVisibility'> };

const DESCRIPTIONS: Record<MemberReportVisibility, string> = {
	everyone: "Anyone in this server may look at any member's report (`/guildstats member`).",
	self_and_admins: "Members may look at their own report only; other members' reports need the Manage Server permission."
};

export async function setMemberReportVisibility(stats: VisibilityStats, guildId: string, input: string): Promise<string> {
	const visibility = input as MemberReportVisibility;
	if (!MEMBER_REPORT_VISIBILITIES.includes(visibility)) {
		throw new UserError({ identifier: 'GuildStatsInvalidVisibility', message: `Unknown setting \`${input.slice(0, 32)}\`: choose everyone or self_and_admins.` });
	}
	await stats.store.setMemberReportVisibility(guildId, visibility);
	return `Member reports: **${visibility}**. ${DESCRIPTIONS[visibility]} Server-wide reports stay public.`;
}

/** The error for someone asking about another member where that needs Manage Server, or null if allowed. */
export function memberReportsDenied(visibility: MemberReportVisibility): UserError | null {
	if (visibility === 'everyone') return null;
	return new UserError({
		identifier: 'GuildStatsMemberReportsRestricted',
		message: "In this server, members' reports are visible to the member themselves and to admins (Manage Server) only. `/guildstats member` without `user` shows yours."
	});
}

/** The line the privacy statement and the settings view show. */
export function visibilityLine(visibility: MemberReportVisibility): APIEmbedField {
	return { name: 'Who may see member reports here', value: `${visibility} — ${DESCRIPTIONS[visibility]}`, inline: false };
}
