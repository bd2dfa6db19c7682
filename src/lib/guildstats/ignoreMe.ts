import { UserError } from '@sapphire/framework';
import type { StatsService } from '#lib/stats/StatsService.js';

export const IGNOREME_ACTIONS = ['hide', 'delete', 'optin'] as const;
export type IgnoreMeAction = (typeof IGNOREME_ACTIONS)[number];

const HOW_HIDE = '`/guildstats ignoreme action:hide` — stop recording you and leave you out of every report (what was already recorded is kept, hidden, and counts again if you opt back in)';
const HOW_DELETE = '`/guildstats ignoreme action:delete` — the same, and every statistic about you is deleted at once, in every server (only the opt-out itself is kept, so it can be honoured)';
const HOW_OPTIN = '`/guildstats ignoreme action:optin`';

/**
 * `/guildstats ignoreme [action]`: without an action, says where the member stands and what each
 * choice does (so running it again while opted out offers opting back in); with one, carries it
 * out. Returns the (ephemeral) answer.
 */
export async function ignoreMe(stats: Pick<StatsService, 'getOptOut' | 'optOut' | 'optIn'>, userId: string, action: string | null): Promise<string> {
	// Discord enforces the choices, but an outdated command list on a client can still send another value.
	if (action !== null && !(IGNOREME_ACTIONS as readonly string[]).includes(action)) {
		throw new UserError({ identifier: 'GuildStatsInvalidIgnoreMeAction', message: `Unknown action \`${action.slice(0, 24)}\`: choose hide, delete or optin, or leave it out to see where you stand.` });
	}
	const current = stats.getOptOut(userId);
	switch (action as IgnoreMeAction | null) {
		case null:
			if (current === 'hide') {
				return `You have opted out (**hide**): nothing new is recorded about you and you are left out of every report; your earlier counts are kept, hidden.\n• Opt back in: ${HOW_OPTIN}\n• Delete what was kept: ${HOW_DELETE}`;
			}
			if (current === 'delete') return `You have opted out and your data was deleted: nothing is recorded about you.\n• Opt back in (counted again from now on): ${HOW_OPTIN}`;
			return `You are included in server statistics (counts only, never message content). To opt out:\n• ${HOW_HIDE}\n• ${HOW_DELETE}\n\`/guildstats privacy\` says exactly what is stored.`;
		case 'hide':
			if (current === 'hide') return `You have already opted out (hide). Opt back in with ${HOW_OPTIN}.`;
			if (current === 'delete') return `You have already opted out and your data was deleted, so there is nothing left to hide. Opt back in with ${HOW_OPTIN}.`;
			await stats.optOut(userId, 'hide');
			return `Done: nothing new is recorded about you, and you are left out of every report, in every server. What was recorded before is kept, hidden.\nChanged your mind? ${HOW_OPTIN}`;
		case 'delete':
			if (current === 'delete') return `Already done: your data was deleted and nothing is recorded about you. Opt back in with ${HOW_OPTIN}.`;
			await stats.optOut(userId, 'delete');
			return `Done: every statistic about you was deleted, in every server, and nothing new is recorded. Only your opt-out (your id, the choice and when) is kept, so it can be honoured.\nChanged your mind? ${HOW_OPTIN} (you are counted again from then on).`;
		case 'optin':
			if (current === null) return 'You are not opted out: you are already included in server statistics.';
			await stats.optIn(userId);
			return current === 'hide'
				? 'Welcome back: you are counted again from now on, and your earlier counts show in reports again.'
				: 'Welcome back: you are counted again from now on (your earlier data was deleted and stays deleted).';
	}
}
