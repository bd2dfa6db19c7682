import {
	ChannelType,
	InteractionContextType,
	type SlashCommandBuilder,
	type SlashCommandSubcommandsOnlyBuilder,
	type SlashCommandSubcommandBuilder,
	type SlashCommandSubcommandGroupBuilder
} from 'discord.js';
import { counterGroup, liveGroup } from '#lib/live/liveCommandData.js';
import { IGNOREME_ACTIONS } from './ignoreMe.js';
import { INACTIVE_MAX_DAYS } from './inactiveMembers.js';
import { RANGE_CHOICES } from './reportOptions.js';

/** The slash command schema of /guildstats (kept out of the command piece so it stays a thin adapter). */

const RANGE_NAMES: Record<(typeof RANGE_CHOICES)[number], string> = {
	'24h': 'Last 24 hours',
	'7d': 'Last 7 days',
	'30d': 'Last 30 days',
	'90d': 'Last 90 days',
	all: 'All time'
};

const TEXT_CHANNEL_TYPES = [
	ChannelType.GuildText,
	ChannelType.GuildAnnouncement,
	ChannelType.GuildVoice,
	ChannelType.GuildStageVoice,
	ChannelType.GuildForum,
	ChannelType.PublicThread,
	ChannelType.PrivateThread,
	ChannelType.AnnouncementThread
] as const;

type Sub = SlashCommandSubcommandBuilder;

function withRange(sub: Sub): Sub {
	return sub
		.addStringOption((option) =>
			option
				.setName('range')
				.setDescription('Time range (hourly buckets up to 7 days, daily beyond)')
				.addChoices(...RANGE_CHOICES.map((value) => ({ name: RANGE_NAMES[value], value })))
		)
		.addStringOption((option) => option.setName('since').setDescription('Custom start day, YYYY-MM-DD in the server timezone (overrides range)').setMinLength(8).setMaxLength(10));
}

function withMembers(sub: Sub): Sub {
	return sub.addStringOption((option) =>
		option
			.setName('members')
			.setDescription('Whose activity to count (default: humans)')
			.addChoices({ name: 'Humans', value: 'humans' }, { name: 'Bots', value: 'bots' }, { name: 'Humans and bots', value: 'both' })
	);
}

/** Only the members who hold a role now (resolved from the member list when the report runs). */
function withRole(sub: Sub): Sub {
	return sub.addRoleOption((option) => option.setName('role').setDescription('Only members who hold this role now'));
}

function withGraphic(sub: Sub): Sub {
	return sub.addStringOption((option) =>
		option
			.setName('graphic')
			.setDescription('Chart image (default) or a text-only embed')
			.addChoices({ name: 'Image', value: 'image' }, { name: 'Text only', value: 'text' })
	);
}

/** range + since + members + graphic, the options every guild-wide report takes. */
const report = (sub: Sub, name: string, description: string, extra: (sub: Sub) => Sub = (s) => s): Sub =>
	withGraphic(withMembers(withRange(extra(sub.setName(name).setDescription(description)))));

function settings(group: SlashCommandSubcommandGroupBuilder): SlashCommandSubcommandGroupBuilder {
	return group
		.setName('settings')
		.setDescription('Server statistics settings (Manage Server permission)')
		.addSubcommand((sub) => sub.setName('view').setDescription('Show timezone, ignored channels and whether capture is on'))
		.addSubcommand((sub) =>
			sub
				.setName('timezone')
				.setDescription('Set the server timezone used for days and hours in reports')
				.addStringOption((option) => option.setName('zone').setDescription('IANA timezone, e.g. Europe/Berlin, America/New_York, UTC').setRequired(true).setMaxLength(64))
		)
		.addSubcommand((sub) =>
			sub
				.setName('ignore')
				.setDescription('Stop capturing activity in a channel, or in every channel of a category')
				.addChannelOption((option) => option.setName('channel').setDescription('Channel or category').setRequired(true).addChannelTypes(...TEXT_CHANNEL_TYPES, ChannelType.GuildCategory))
		)
		.addSubcommand((sub) =>
			sub
				.setName('unignore')
				.setDescription('Resume capturing activity in an ignored channel or category')
				.addChannelOption((option) => option.setName('channel').setDescription('Channel or category').setRequired(true).addChannelTypes(...TEXT_CHANNEL_TYPES, ChannelType.GuildCategory))
		)
		.addSubcommand((sub) => sub.setName('disable').setDescription('Stop recording statistics in this server (stored data is kept)'))
		.addSubcommand((sub) => sub.setName('enable').setDescription('Record statistics in this server again'))
		.addSubcommand((sub) =>
			sub
				.setName('visibility')
				.setDescription("Who may look at another member's report")
				.addStringOption((option) =>
					option
						.setName('member_reports')
						.setDescription('everyone (default), or only the member themselves and admins')
						.setRequired(true)
						.addChoices({ name: 'Everyone', value: 'everyone' }, { name: 'Only themselves and admins', value: 'self_and_admins' })
				)
		)
		.addSubcommand((sub) =>
			sub
				.setName('purge')
				.setDescription("Delete every statistic of this server now (can't be undone)")
				.addBooleanOption((option) => option.setName('confirm').setDescription('True to delete everything now').setRequired(true))
		);
}

export function buildGuildStatsCommand(builder: SlashCommandBuilder): SlashCommandSubcommandsOnlyBuilder {
	return builder
		.setName('guildstats')
		.setDescription('Server statistics: activity charts, leaderboards, privacy controls')
		.setContexts(InteractionContextType.Guild)
		.addSubcommand((sub) => report(sub, 'server', 'Messages, active members, voice, joins and leaves, top channels and members', withRole))
		.addSubcommand((sub) =>
			withGraphic(
				withRange(
					sub
						.setName('member')
						.setDescription("A member's messages, voice time and reactions (default: you)")
						.addUserOption((option) => option.setName('user').setDescription('The member (default: you)'))
				)
			)
		)
		.addSubcommand((sub) =>
			report(sub, 'channel', "A channel's messages, voice time and top members (default: this channel)", (s) =>
				s.addChannelOption((option) => option.setName('channel').setDescription('The channel (default: this one)').addChannelTypes(...TEXT_CHANNEL_TYPES))
			)
		)
		.addSubcommand((sub) =>
			report(sub, 'top', 'Leaderboard of members or channels', (s) =>
				withRole(s)
					.addStringOption((option) =>
						option.setName('target').setDescription('Rank members (default) or channels').addChoices({ name: 'Members', value: 'members' }, { name: 'Channels', value: 'channels' })
					)
					.addStringOption((option) =>
						option
							.setName('by')
							.setDescription('Rank by messages (default), voice time or reactions')
							.addChoices({ name: 'Messages', value: 'messages' }, { name: 'Voice time', value: 'voice' }, { name: 'Reactions', value: 'reactions' })
					)
			)
		)
		.addSubcommand((sub) =>
			report(sub, 'activity', 'When the server is active: hour of day x weekday heatmap', (s) =>
				withRole(s).addStringOption((option) =>
					option.setName('metric').setDescription('Messages (default) or voice minutes').addChoices({ name: 'Messages', value: 'messages' }, { name: 'Voice minutes', value: 'voice' })
				)
			)
		)
		.addSubcommand((sub) => report(sub, 'voice', 'Voice time, streaming and muted minutes, top voice channels and members'))
		.addSubcommand((sub) => report(sub, 'growth', 'Members joining and leaving, and net growth'))
		.addSubcommand((sub) =>
			sub
				.setName('ignoreme')
				.setDescription('Opt out of server statistics (or back in); run without action to see your status')
				.addStringOption((option) =>
					option
						.setName('action')
						.setDescription('hide: stop recording you · delete: also delete your data · optin: be counted again')
						.addChoices(
							...IGNOREME_ACTIONS.map((value) => ({
								name: value === 'hide' ? 'hide — stop recording me, keep old counts hidden' : value === 'delete' ? 'delete — stop recording me and delete my data' : 'optin — count me again',
								value
							}))
						)
				)
		)
		.addSubcommand((sub) =>
			sub
				.setName('inactive')
				.setDescription('Members with no message, voice or reaction in the last N days (Manage Server)')
				.addIntegerOption((option) => option.setName('days').setDescription(`Quiet for at least this many days (1-${INACTIVE_MAX_DAYS})`).setRequired(true).setMinValue(1).setMaxValue(INACTIVE_MAX_DAYS))
				.addRoleOption((option) => option.setName('role').setDescription('Only members who hold this role'))
		)
		.addSubcommand((sub) =>
			sub
				.setName('export')
				.setDescription("Download this server's counts (guild, channels, members) as CSV or JSON (Manage Server)")
				.addStringOption((option) => option.setName('range').setDescription('Time range (default: last 30 days)').addChoices(...RANGE_CHOICES.map((value) => ({ name: RANGE_NAMES[value], value }))))
				.addStringOption((option) => option.setName('format').setDescription('CSV files (default) or one JSON file').addChoices({ name: 'CSV', value: 'csv' }, { name: 'JSON', value: 'json' }))
				.addStringOption((option) =>
					option.setName('granularity').setDescription('One row per UTC day (default) or per UTC hour').addChoices({ name: 'Daily', value: 'daily' }, { name: 'Hourly', value: 'hourly' })
				)
		)
		.addSubcommand((sub) => sub.setName('privacy').setDescription('What is stored about you, for how long, and how to opt out'))
		.addSubcommandGroup((group) => settings(group))
		.addSubcommandGroup((group) => liveGroup(group))
		.addSubcommandGroup((group) => counterGroup(group));
}
