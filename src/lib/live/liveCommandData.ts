import type { SlashCommandSubcommandGroupBuilder } from 'discord.js';
import { RANGE_CHOICES } from '#lib/guildstats/reportOptions.js';
import { placeholderList } from './counterTemplate.js';
import { COUNTER_CHANNEL_TYPES, LIVE_CHANNEL_TYPES, LIVE_EVERY_DEFAULT, LIVE_EVERY_MAX, LIVE_EVERY_MIN, LIVE_MESSAGES_PER_GUILD, COUNTERS_PER_GUILD, LIVE_REPORTS } from './liveCommands.js';

const REPORT_NAMES: Record<(typeof LIVE_REPORTS)[number], string> = {
	server: 'Server overview',
	top: 'Top members by messages',
	activity: 'Activity heatmap',
	voice: 'Voice',
	growth: 'Member growth'
};

/** `/guildstats live set|list|remove` (Manage Server). */
export function liveGroup(group: SlashCommandSubcommandGroupBuilder): SlashCommandSubcommandGroupBuilder {
	return group
		.setName('live')
		.setDescription(`A statistics message that updates itself (Manage Server; up to ${LIVE_MESSAGES_PER_GUILD} per server)`)
		.addSubcommand((sub) =>
			sub
				.setName('set')
				.setDescription('Post a report that is edited in place every few minutes')
				.addChannelOption((option) => option.setName('channel').setDescription('Text channel for the message').setRequired(true).addChannelTypes(...LIVE_CHANNEL_TYPES))
				.addStringOption((option) =>
					option
						.setName('report')
						.setDescription('Which report (default: server)')
						.addChoices(...LIVE_REPORTS.map((value) => ({ name: REPORT_NAMES[value], value })))
				)
				.addStringOption((option) => option.setName('range').setDescription('Time range (default: 7 days)').addChoices(...RANGE_CHOICES.map((value) => ({ name: value, value }))))
				.addIntegerOption((option) =>
					option.setName('every').setDescription(`Minutes between updates (${LIVE_EVERY_MIN}-${LIVE_EVERY_MAX}, default ${LIVE_EVERY_DEFAULT})`).setMinValue(LIVE_EVERY_MIN).setMaxValue(LIVE_EVERY_MAX)
				)
		)
		.addSubcommand((sub) => sub.setName('list').setDescription("This server's live messages, their ids and next update"))
		.addSubcommand((sub) =>
			sub
				.setName('remove')
				.setDescription('Stop updating a live message and delete it')
				.addStringOption((option) => option.setName('id').setDescription('Its id, from /guildstats live list').setRequired(true).setMaxLength(32))
		);
}

/** `/guildstats counter add|list|remove` (Manage Server). */
export function counterGroup(group: SlashCommandSubcommandGroupBuilder): SlashCommandSubcommandGroupBuilder {
	return group
		.setName('counter')
		.setDescription(`Channels whose names show a live number (Manage Server; up to ${COUNTERS_PER_GUILD} per server)`)
		.addSubcommand((sub) =>
			sub
				.setName('add')
				.setDescription('Rename a voice channel or category from a template, e.g. "👥 Members: {members}"')
				.addChannelOption((option) => option.setName('channel').setDescription('Voice channel (or category) to rename').setRequired(true).addChannelTypes(...COUNTER_CHANNEL_TYPES))
				.addStringOption((option) =>
					option
						.setName('template')
						.setDescription(`Name with ${placeholderList().replace(/`/g, '')}`)
						.setRequired(true)
						.setMinLength(1)
						.setMaxLength(100)
				)
		)
		.addSubcommand((sub) => sub.setName('list').setDescription("This server's counter channels"))
		.addSubcommand((sub) =>
			sub
				.setName('remove')
				.setDescription('Stop renaming a counter channel (its name stays)')
				.addChannelOption((option) => option.setName('channel').setDescription('The counter channel').setRequired(true).addChannelTypes(...COUNTER_CHANNEL_TYPES))
		);
}
