import { ApplyOptions } from '@sapphire/decorators';
import { UserError } from '@sapphire/framework';
import { Subcommand } from '@sapphire/plugin-subcommands';
import { MessageFlags, PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import { replyEphemeral } from '#lib/discord/replies.js';
import { GuildStatsReports } from '#lib/guildstats/GuildStatsReports.js';
import { buildGuildStatsCommand } from '#lib/guildstats/guildStatsCommandData.js';
import { guildNameSource } from '#lib/guildstats/guildNameSource.js';
import { ignoreChannel, purge, setEnabled, setTimezone, settingsEmbed, unignoreChannel } from '#lib/guildstats/guildSettings.js';
import { ignoreMe } from '#lib/guildstats/ignoreMe.js';
import { channelKind } from '#lib/guildstats/channelKind.js';
import { readReportRequest } from '#lib/guildstats/interactionInput.js';
import { privacyEmbed } from '#lib/guildstats/privacyEmbed.js';
import { buildExport, cooldownMessage, DEFAULT_UPLOAD_LIMIT, ExportCooldown, validateExportInput } from '#lib/guildstats/exportData.js';
import { findInactiveMembers, inactiveCsv, inactiveEmbed, validateInactiveDays } from '#lib/guildstats/inactiveMembers.js';
import { fetchMemberList, MemberListCache, restMemberPages } from '#lib/guildstats/memberList.js';
import { memberReportsDenied, setMemberReportVisibility, visibilityLine } from '#lib/guildstats/memberReportVisibility.js';
import { replyWithReport } from '#lib/guildstats/replyWithReport.js';
import type { ReportName } from '#lib/guildstats/reportViews.js';
import { counterAdd, counterList, counterRemove, liveList, liveRemove, liveSet, previewName } from '#lib/live/liveCommands.js';

const admin = (name: string, chatInputRun: string) => ({ name, chatInputRun, preconditions: ['ManageGuild' as const] });

@ApplyOptions<Subcommand.Options>({
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
		admin('inactive', 'chatInputInactive'),
		admin('export', 'chatInputExport'),
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
				admin('visibility', 'chatInputSettingsVisibility'),
				admin('purge', 'chatInputSettingsPurge')
			]
		},
		{ name: 'live', type: 'group', entries: [admin('set', 'chatInputLiveSet'), admin('list', 'chatInputLiveList'), admin('remove', 'chatInputLiveRemove')] },
		{ name: 'counter', type: 'group', entries: [admin('add', 'chatInputCounterAdd'), admin('list', 'chatInputCounterList'), admin('remove', 'chatInputCounterRemove')] }
	]
})
export class GuildStatsCommand extends Subcommand {
	private reports: GuildStatsReports | undefined;
	private exportCooldown: ExportCooldown | undefined;
	/** Member lists for the `role` option, kept a minute (a 10k guild is 10 requests). */
	private readonly memberLists = new MemberListCache();

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
		const action = interaction.options.getString('action');
		const answer = await ignoreMe(this.container.stats, interaction.user.id, action);
		// Cached charts of every guild on every shard may show (or hide) this member.
		if (action !== null) this.container.imageCacheSync.invalidateAll();
		return replyEphemeral(interaction, answer);
	}

	public async chatInputPrivacy(interaction: ChatInputCommandInteraction) {
		const { config, stats } = this.container;
		const embed = privacyEmbed({
			hourlyDays: config.RETENTION_HOURLY_DAYS,
			memberHourlyDays: config.STATS_MEMBER_HOURLY_DAYS,
			dailyDays: config.RETENTION_DAILY_DAYS,
			graceDays: config.GUILD_DATA_GRACE_DAYS,
			statsEnabled: config.STATS_ENABLED
		});
		if (interaction.guildId) embed.fields = [...(embed.fields ?? []), visibilityLine(await stats.store.memberReportVisibility(interaction.guildId))];
		return interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	}

	/** Admins: current human members quiet for N days, from the whole member list against the store. */
	public async chatInputInactive(interaction: ChatInputCommandInteraction) {
		const guild = this.guildOf(interaction);
		const days = validateInactiveDays(interaction.options.getInteger('days', true));
		const role = interaction.options.getRole('role');
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const { stats } = this.container;
		const [members, lastActivity] = await Promise.all([fetchMemberList(restMemberPages(guild)), stats.store.reports.lastActivity(guild.id)]);
		const now = Date.now();
		const report = findInactiveMembers(members, lastActivity, { days, now, role: role ? { id: role.id, name: role.name } : null, isOptedOut: (id) => stats.getOptOut(id) !== null });
		const files = report.inactive.length > 0 ? [{ attachment: inactiveCsv(report), name: `inactive-${guild.id}-${days}d.csv` }] : [];
		return interaction.editReply({ embeds: [inactiveEmbed(report, now)], files, allowedMentions: { parse: [] } });
	}

	/** Admins: the stored counts as files, at most once per guild per cooldown, within the upload limit. */
	public async chatInputExport(interaction: ChatInputCommandInteraction) {
		const guild = this.guildOf(interaction);
		const o = interaction.options;
		const request = validateExportInput({ range: o.getString('range'), format: o.getString('format'), granularity: o.getString('granularity') });
		const { stats, config } = this.container;
		const cooldown = (this.exportCooldown ??= new ExportCooldown(config.GUILDSTATS_EXPORT_COOLDOWN_MS));
		const next = cooldown.nextAllowedAt(guild.id, Date.now());
		if (next !== null) return replyEphemeral(interaction, cooldownMessage(next, config.GUILDSTATS_EXPORT_COOLDOWN_MS));
		// Taken before the work, so two exports started together cannot both run; given back if this one fails.
		const now = Date.now();
		cooldown.record(guild.id, now);
		let result;
		try {
			await interaction.deferReply({ flags: MessageFlags.Ephemeral });
			result = await buildExport(stats, { id: guild.id, names: guildNameSource(guild) }, request, {
				now,
				uploadLimit: interaction.attachmentSizeLimit || DEFAULT_UPLOAD_LIMIT,
				...(await stats.store.hourlyFloors().then((floors) => ({ floorHour: floors.hour, memberFloorHour: floors.memberHour })))
			});
		} catch (error) {
			cooldown.release(guild.id, now);
			throw error;
		}
		const { rows } = result;
		const content = [
			`Export of **${guild.name}**: ${result.rangeLabel}, ${request.format.toUpperCase()}.`,
			`Rows: ${rows.guild} guild · ${rows.channels} channel · ${rows.members} member. Opted-out members are never included. Columns: see the README ("Export columns").`,
			result.note
		]
			.filter(Boolean)
			.join('\n');
		return interaction.editReply({ content, files: result.files.map((file) => ({ attachment: file.data, name: file.name })), allowedMentions: { parse: [] } });
	}

	public async chatInputSettingsVisibility(interaction: ChatInputCommandInteraction) {
		return replyEphemeral(interaction, await setMemberReportVisibility(this.container.stats, this.guildOf(interaction).id, interaction.options.getString('member_reports', true)));
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
		const { stats, imageCacheSync } = this.container;
		const guildId = this.guildOf(interaction).id;
		return replyEphemeral(interaction, await purge(stats, guildId, interaction.options.getBoolean('confirm') === true, (id) => imageCacheSync.invalidateGuilds([id])));
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
		if (request.report === 'member' && request.member.id !== interaction.user.id && !interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
			const denied = memberReportsDenied(await this.container.stats.store.memberReportVisibility(guild.id));
			if (denied) throw denied;
		}
		if (request.options.graphic === 'image') await interaction.deferReply();
		const { logger } = this.container;
		const names = guildNameSource(guild, { onFetchError: (error) => logger.warn(`/guildstats ${report}: fetching member names failed:`, error) });
		const roleMembers = (roleId: string) => this.memberLists.roleMemberIds(guild.id, roleId, restMemberPages(guild));
		const result = await this.guildStats.run(request, { id: guild.id, name: guild.name, memberCount: guild.memberCount, names, roleMembers });
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
