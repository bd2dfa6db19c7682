import { UserError } from '@sapphire/framework';
import { Subcommand } from '@sapphire/plugin-subcommands';
import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { replyEphemeral } from '#lib/discord/replies.js';
import { GuildStatsReports } from '#lib/guildstats/GuildStatsReports.js';
import { buildGuildStatsCommand } from '#lib/guildstats/guildStatsCommandData.js';
import { guildNameSource } from '#lib/guildstats/guildNameSource.js';
import { ignoreChannel, purge, setEnabled, setTimezone, settingsEmbed, unignoreChannel } from '#lib/guildstats/guildSettings.js';
import { ignoreMe, type IgnoreMeAction } from '#lib/guildstats/ignoreMe.js';
import { channelKind } from '#lib/guildstats/channelKind.js';
import { readReportRequest } from '#lib/guildstats/interactionInput.js';
import { privacyEmbed } from '#lib/guildstats/privacyEmbed.js';
import { replyWithReport } from '#lib/guildstats/replyWithReport.js';
import type { ReportName } from '#lib/guildstats/reportViews.js';
import { counterAdd, counterList, counterRemove, liveList, liveRemove, liveSet, previewName } from '#lib/live/liveCommands.js';

const admin = (name: string, chatInputRun: string) => ({ name, chatInputRun, preconditions: ['ManageGuild' as const] });

export class GuildStatsCommand extends Subcommand {
	private reports: GuildStatsReports | undefined;

	public constructor(context: Subcommand.LoaderContext, options: Subcommand.Options) {
		super(context, {
			...options,
			name: 'guildstats',
			description: 'Server statistics',
			subcommands: [
				{ name: 'server', chatInputRun: 'chatInputServer' },
				{ name: 'member', chatInputRun: 'chatInputMember' },
				{ name: 'channel', chatInputRun: 'chatInputChannel' },
				{ name: 'top', chatInputRun: 'chatInputTop' },
				{ name: 'activity', chatInputRun: 'chatInputActivity' },
				{ name: 'voice', chatInputRun: 'chatInputVoice' },
				{ name: 'growth', chatInputRun: 'chatInputGrowth' },
				{ name: 'ignoreme', chatInputRun: 'chatInputIgnoreMe' },
				{ name: 'privacy', chatInputRun: 'chatInputPrivacy' },
				{
					name: 'settings',
					type: 'group',
					entries: [
						admin('view', 'chatInputSettingsView'),
						admin('timezone', 'chatInputSettingsTimezone'),
						admin('ignore', 'chatInputSettingsIgnore'),
						admin('unignore', 'chatInputSettingsUnignore'),
						admin('disable', 'chatInputSettingsDisable'),
						admin('enable', 'chatInputSettingsEnable'),
						admin('purge', 'chatInputSettingsPurge')
					]
				},
				{ name: 'live', type: 'group', entries: [admin('set', 'chatInputLiveSet'), admin('list', 'chatInputLiveList'), admin('remove', 'chatInputLiveRemove')] },
				{ name: 'counter', type: 'group', entries: [admin('add', 'chatInputCounterAdd'), admin('list', 'chatInputCounterList'), admin('remove', 'chatInputCounterRemove')] }
			]
		});
	}

	public override registerApplicationCommands(registry: Subcommand.Registry) {
		registry.registerChatInputCommand((builder) => buildGuildStatsCommand(builder));
	}

	public chatInputServer(interaction: ChatInputCommandInteraction) {
		return this.report('server', interaction);
	}

	public chatInputMember(interaction: ChatInputCommandInteraction) {
		return this.report('member', interaction);
	}

	public chatInputChannel(interaction: ChatInputCommandInteraction) {
		return this.report('channel', interaction);
	}

	public chatInputTop(interaction: ChatInputCommandInteraction) {
		return this.report('top', interaction);
	}

	public chatInputActivity(interaction: ChatInputCommandInteraction) {
		return this.report('activity', interaction);
	}

	public chatInputVoice(interaction: ChatInputCommandInteraction) {
		return this.report('voice', interaction);
	}

	public chatInputGrowth(interaction: ChatInputCommandInteraction) {
		return this.report('growth', interaction);
	}

	public async chatInputIgnoreMe(interaction: ChatInputCommandInteraction) {
		const action = interaction.options.getString('action') as IgnoreMeAction | null;
		return replyEphemeral(interaction, await ignoreMe(this.container.stats, interaction.user.id, action));
	}

	public chatInputPrivacy(interaction: ChatInputCommandInteraction) {
		const { config } = this.container;
		const embed = privacyEmbed({ hourlyDays: config.RETENTION_HOURLY_DAYS, dailyDays: config.RETENTION_DAILY_DAYS, graceDays: config.GUILD_DATA_GRACE_DAYS, statsEnabled: config.STATS_ENABLED });
		return interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	}

	public async chatInputSettingsView(interaction: ChatInputCommandInteraction) {
		const guild = this.guildOf(interaction);
		const embed = await settingsEmbed(this.container.stats, guild.id, guildNameSource(guild).channel);
		return interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	}

	public async chatInputSettingsTimezone(interaction: ChatInputCommandInteraction) {
		const guild = this.guildOf(interaction);
		return replyEphemeral(interaction, await setTimezone(this.container.stats, guild.id, interaction.options.getString('zone', true)));
	}

	public async chatInputSettingsIgnore(interaction: ChatInputCommandInteraction) {
		return replyEphemeral(interaction, await ignoreChannel(this.container.stats, this.guildOf(interaction).id, this.channelOption(interaction)));
	}

	public async chatInputSettingsUnignore(interaction: ChatInputCommandInteraction) {
		return replyEphemeral(interaction, await unignoreChannel(this.container.stats, this.guildOf(interaction).id, this.channelOption(interaction)));
	}

	public async chatInputSettingsDisable(interaction: ChatInputCommandInteraction) {
		return replyEphemeral(interaction, await setEnabled(this.container.stats, this.guildOf(interaction).id, false));
	}

	public async chatInputSettingsEnable(interaction: ChatInputCommandInteraction) {
		return replyEphemeral(interaction, await setEnabled(this.container.stats, this.guildOf(interaction).id, true));
	}

	public async chatInputSettingsPurge(interaction: ChatInputCommandInteraction) {
		const { stats, imageCache } = this.container;
		const guildId = this.guildOf(interaction).id;
		return replyEphemeral(interaction, await purge(stats, guildId, interaction.options.getBoolean('confirm', true), (id) => imageCache.invalidateGuild(id)));
	}

	public async chatInputLiveSet(interaction: ChatInputCommandInteraction) {
		this.guildOf(interaction);
		return replyEphemeral(interaction, await liveSet(interaction as ChatInputCommandInteraction<'cached'>, this.liveContext));
	}

	public async chatInputLiveList(interaction: ChatInputCommandInteraction) {
		this.guildOf(interaction);
		return interaction.reply(await liveList(interaction as ChatInputCommandInteraction<'cached'>, this.liveContext));
	}

	public async chatInputLiveRemove(interaction: ChatInputCommandInteraction) {
		this.guildOf(interaction);
		return replyEphemeral(interaction, await liveRemove(interaction as ChatInputCommandInteraction<'cached'>, this.liveContext));
	}

	public async chatInputCounterAdd(interaction: ChatInputCommandInteraction) {
		this.guildOf(interaction);
		const preview = previewName(this.container.counterValues);
		return replyEphemeral(interaction, await counterAdd(interaction as ChatInputCommandInteraction<'cached'>, { ...this.liveContext, preview }));
	}

	public async chatInputCounterList(interaction: ChatInputCommandInteraction) {
		this.guildOf(interaction);
		return interaction.reply(await counterList(interaction as ChatInputCommandInteraction<'cached'>, this.liveContext));
	}

	public async chatInputCounterRemove(interaction: ChatInputCommandInteraction) {
		this.guildOf(interaction);
		return replyEphemeral(interaction, await counterRemove(interaction as ChatInputCommandInteraction<'cached'>, this.liveContext));
	}

	private get liveContext() {
		const { liveStore, liveMessages, counterChannels } = this.container;
		return { store: liveStore, live: liveMessages, counters: counterChannels };
	}

	/** Validate (ephemeral errors), defer only when rendering, query + render through the cache, reply. */
	private async report(report: ReportName, interaction: ChatInputCommandInteraction) {
		const guild = this.guildOf(interaction);
		const request = readReportRequest(report, interaction, this.container.stats);
		if (request.options.graphic === 'image') await interaction.deferReply();
		const { logger } = this.container;
		const names = guildNameSource(guild, { onFetchError: (error) => logger.warn(`/guildstats ${report}: fetching member names failed:`, error) });
		const result = await this.guildStats.run(request, { id: guild.id, name: guild.name, memberCount: guild.memberCount, names });
		if (result.image) logger.debug(`/guildstats ${report} in ${guild.id}: ${result.image.cached ? 'cache hit' : result.image.deduped ? 'shared render' : `rendered in ${Math.round(result.image.renderMs ?? 0)} ms`}`);
		return replyWithReport(interaction, result);
	}

	private get guildStats(): GuildStatsReports {
		const { stats, charts, imageCache, config } = this.container;
		return (this.reports ??= new GuildStatsReports({
			stats,
			timezoneOf: (guildId) => stats.store.guildTimezone(guildId),
			charts,
			cache: imageCache,
			views: { max: config.CHART_CACHE_MAX, ttlMs: config.CHART_CACHE_TTL_MS }
		}));
	}

	private guildOf(interaction: ChatInputCommandInteraction) {
		if (!interaction.inCachedGuild()) throw new UserError({ identifier: 'GuildStatsGuildOnly', message: 'Server statistics work inside a server only.' });
		return interaction.guild;
	}

	private channelOption(interaction: ChatInputCommandInteraction) {
		const channel = interaction.options.getChannel('channel', true);
		return { id: channel.id, name: 'name' in channel && channel.name ? channel.name : channel.id, kind: channelKind(channel.type) };
	}
}
