import { UserError } from '@sapphire/framework';
import { GuildMember, type ChatInputCommandInteraction, type User } from 'discord.js';
import type { OptOutMode, TopMetric, TopTarget } from '#lib/stats/statsTypes.js';
import { optedOutError, type ChannelTarget, type MemberTarget, type ReportRequest } from './GuildStatsReports.js';
import { channelKind } from './channelKind.js';
import { validateReportInput, type RangeChoice } from './reportOptions.js';
import type { ReportName } from './reportViews.js';

/** Ranges shown when the user gives none: a week for most reports, a month where patterns need it. */
export const DEFAULT_RANGES: Record<ReportName, RangeChoice> = {
	server: '7d',
	member: '30d',
	channel: '7d',
	top: '7d',
	activity: '30d',
	voice: '7d',
	growth: '30d'
};

const TOP_TARGETS: readonly TopTarget[] = ['members', 'channels'];
const TOP_METRICS: readonly TopMetric[] = ['messages', 'voice', 'reactions'];

/**
 * Reads and checks a report subcommand's options, before anything is deferred or queried, so
 * input errors reach the user as an ephemeral UserError. Opt-outs are checked here (in memory)
 * and again by the store query.
 */
export function readReportRequest(report: ReportName, interaction: ChatInputCommandInteraction, privacy: { getOptOut(userId: string): OptOutMode | null }): ReportRequest {
	const o = interaction.options;
	const options = validateReportInput(
		{ range: o.getString('range'), since: o.getString('since'), members: report === 'member' ? 'both' : o.getString('members'), graphic: o.getString('graphic') },
		{ range: DEFAULT_RANGES[report] }
	);
	const role = o.getRole('role');
	if (role) options.role = { id: role.id, name: role.name };
	switch (report) {
		case 'member': {
			const member = readMember(interaction);
			if (privacy.getOptOut(member.id)) throw optedOutError(member.id === interaction.user.id ? null : (member.name ?? 'This member'));
			return { report, options, member };
		}
		case 'channel':
			return { report, options, channel: readChannel(interaction) };
		case 'top': {
			const target = (o.getString('target') ?? 'members') as TopTarget;
			const by = (o.getString('by') ?? 'messages') as TopMetric;
			if (!TOP_TARGETS.includes(target)) throw new UserError({ identifier: 'GuildStatsInvalidTarget', message: `Unknown target \`${target}\`: choose members or channels.` });
			if (!TOP_METRICS.includes(by)) throw new UserError({ identifier: 'GuildStatsInvalidMetric', message: `Unknown ranking \`${by}\`: choose messages, voice or reactions.` });
			if (role && target === 'channels' && by !== 'messages') {
				throw new UserError({ identifier: 'GuildStatsRoleChannels', message: 'With `role`, channels are ranked by the messages of that role only: use `by:messages`, or `target:members`.' });
			}
			return { report, options, target, by };
		}
		case 'activity': {
			const metric = o.getString('metric') ?? 'messages';
			if (metric !== 'messages' && metric !== 'voice') throw new UserError({ identifier: 'GuildStatsInvalidMetric', message: `Unknown metric \`${metric}\`: choose messages or voice.` });
			return { report, options, metric };
		}
		default:
			return { report, options };
	}
}

function readMember(interaction: ChatInputCommandInteraction): MemberTarget {
	const given = interaction.options.get('user');
	if (!given) return memberTarget(interaction.user, interaction.member);
	const user = interaction.options.getUser('user');
	if (!user) {
		throw new UserError({ identifier: 'GuildStatsUnknownMember', message: `I don't know that user (\`${String(given.value).slice(0, 24)}\`): pick a member of this server.` });
	}
	return memberTarget(user, interaction.options.getMember('user'));
}

function memberTarget(user: User, member: ChatInputCommandInteraction['member'] | ReturnType<ChatInputCommandInteraction['options']['getMember']>): MemberTarget {
	let name: string | null = user.displayName;
	if (member instanceof GuildMember) name = member.displayName;
	else if (member && 'nick' in member && member.nick) name = member.nick;
	return { id: user.id, name, bot: user.bot, inGuild: Boolean(member) };
}

function readChannel(interaction: ChatInputCommandInteraction): ChannelTarget {
	const picked = interaction.options.getChannel('channel') ?? interaction.channel;
	if (!picked) throw new UserError({ identifier: 'GuildStatsUnknownChannel', message: 'Pick a channel with the `channel` option.' });
	const kind = channelKind(picked.type);
	if (kind === 'category') {
		throw new UserError({ identifier: 'GuildStatsCategory', message: `${'name' in picked && picked.name ? picked.name : 'That'} is a category: pick one of its channels, or use \`/guildstats top target:channels\`.` });
	}
	const name = 'name' in picked && picked.name ? picked.name : picked.id;
	return { id: picked.id, name, kind };
}
