import { UserError } from '@sapphire/framework';
import type { APIEmbed } from 'discord.js';
import type { ChartSpec } from '#lib/charts/ChartSpecs.js';
import type { CachedImage, ImageCache } from '#lib/charts/ImageCache.js';
import type { StatsService } from '#lib/stats/StatsService.js';
import type { TopMetric, TopTarget } from '#lib/stats/statsTypes.js';
import { channelLabel, memberLabel, type ChannelKind, type MemberInfo, type NameSource } from './NameSource.js';
import { renderFooter, reportEmbed } from './reportEmbed.js';
import { resolveReportOptions, type ReportRequestOptions, type ResolvedReportOptions } from './reportOptions.js';
import { activityView, channelView, growthView, memberView, serverView, topView, voiceView, type ReportName, type ReportView, type ViewContext } from './reportViews.js';

export interface MemberTarget {
	id: string;
	/** Display name when known (cache or the interaction's resolved data). */
	name: string | null;
	bot: boolean;
	inGuild: boolean;
}

export interface ChannelTarget {
	id: string;
	name: string;
	kind: ChannelKind;
}

/** A validated /guildstats report request (see interactionInput.ts for how one is read). */
export type ReportRequest =
	| { report: 'server'; options: ReportRequestOptions }
	| { report: 'member'; options: ReportRequestOptions; member: MemberTarget }
	| { report: 'channel'; options: ReportRequestOptions; channel: ChannelTarget }
	| { report: 'top'; options: ReportRequestOptions; target: TopTarget; by: TopMetric }
	| { report: 'activity'; options: ReportRequestOptions; metric: 'messages' | 'voice' }
	| { report: 'voice'; options: ReportRequestOptions }
	| { report: 'growth'; options: ReportRequestOptions };

export interface GuildContext {
	id: string;
	name: string;
	memberCount?: number;
	names: NameSource;
}

export interface ReportImage {
	name: string;
	png: Buffer;
	cached: boolean;
	deduped: boolean;
	renderMs?: number;
}

export interface ReportResult {
	view: ReportView;
	embed: APIEmbed;
	/** The PNG for the image variant; null for `graphic: text`. */
	image: ReportImage | null;
}

export type ReportStats = Pick<
	StatsService,
	'serverReport' | 'memberStats' | 'channelStats' | 'top' | 'overview' | 'heatmap' | 'voiceStats' | 'growth' | 'dataVersion' | 'isGuildEnabled'
>;

export interface GuildStatsReportsOptions {
	stats: ReportStats;
	/** The guild's IANA timezone (admins set it; default UTC). */
	timezoneOf: (guildId: string) => Promise<string>;
	charts: { render(spec: ChartSpec): Promise<{ png: Buffer }> };
	cache: Pick<ImageCache, 'get'>;
	now?: () => number;
}

interface Built {
	view: ReportView;
	/** Member/channel id, or what the report ranks; part of the cache key. */
	target: string | null;
	extraKey: Record<string, string>;
}

/**
 * `/guildstats` reports: query the store, resolve names, build the view, and render it through the
 * image cache. The cache key holds the guild's data version read BEFORE the query, so a cached
 * image is never older than the data version it is filed under; identical requests share one
 * render (ImageCache single-flight). Discord-free: the command hands in a NameSource.
 */
export class GuildStatsReports {
	private readonly stats: ReportStats;
	private readonly timezoneOf: (guildId: string) => Promise<string>;
	private readonly charts: GuildStatsReportsOptions['charts'];
	private readonly cache: Pick<ImageCache, 'get'>;
	private readonly now: () => number;

	public constructor(options: GuildStatsReportsOptions) {
		this.stats = options.stats;
		this.timezoneOf = options.timezoneOf;
		this.charts = options.charts;
		this.cache = options.cache;
		this.now = options.now ?? Date.now;
	}

	public async run(request: ReportRequest, guild: GuildContext): Promise<ReportResult> {
		const dataVersion = this.stats.dataVersion(guild.id);
		const resolved = resolveReportOptions(request.options, { timezone: await this.timezoneOf(guild.id), now: this.now() });
		const built = await this.build(request, guild, resolved);
		if (request.options.graphic === 'text') return { view: built.view, embed: reportEmbed(built.view, { footer: 'Text-only report · Nexus' }), image: null };

		const name = `guildstats-${request.report}.png`;
		const image: CachedImage = await this.cache.get(
			{ guildId: guild.id, report: request.report, target: built.target, options: { ...resolved.keyOptions, ...built.extraKey }, dataVersion },
			async () => (await this.charts.render(built.view.spec)).png
		);
		return {
			view: built.view,
			embed: reportEmbed(built.view, { imageName: name, footer: renderFooter(image) }),
			image: { name, png: image.png, cached: image.cached, deduped: image.deduped, renderMs: image.renderMs }
		};
	}

	private async build(request: ReportRequest, guild: GuildContext, resolved: ResolvedReportOptions): Promise<Built> {
		const options = resolved.options;
		const id = guild.id;
		const note = this.stats.isGuildEnabled(id) ? undefined : 'Statistics are disabled in this server: nothing new is recorded.';
		const context = async (memberIds: readonly string[]): Promise<ViewContext> => {
			const members = memberIds.length > 0 ? await guild.names.members(memberIds) : new Map<string, MemberInfo>();
			return {
				guildName: guild.name,
				resolved,
				channelLabel: (channelId) => channelLabel(guild.names.channel(channelId), channelId),
				memberLabel: (userId) => memberLabel(members.get(userId), userId),
				memberCount: guild.memberCount,
				note
			};
		};
		switch (request.report) {
			case 'server': {
				const data = await this.stats.serverReport(id, options, 10);
				return { view: serverView(data, await context(data.topMembers.map((entry) => entry.id))), target: null, extraKey: {} };
			}
			case 'member': {
				const { member } = request;
				const data = await this.stats.memberStats(id, member.id, options);
				const label = member.name ?? memberLabel(undefined, member.id);
				if (data.optedOut) throw optedOutError(label);
				const t = data.totals;
				const nothing = t.messages === 0 && t.voiceSeconds === 0 && t.reactionsGiven === 0 && t.reactionsReceived === 0;
				if (nothing && !member.inGuild) {
					throw new UserError({ identifier: 'GuildStatsUnknownMember', message: `${label} is not a member of this server and has no recorded activity here.` });
				}
				if (nothing && member.bot) {
					throw new UserError({
						identifier: 'GuildStatsBotWithoutData',
						message: `${label} is a bot with no recorded activity (${resolved.rangeLabel.toLowerCase()}). Bots only show up once they post, react or join voice.`
					});
				}
				return { view: memberView(data, { id: member.id, name: label, inGuild: member.inGuild }, await context([])), target: member.id, extraKey: {} };
			}
			case 'channel': {
				const { channel } = request;
				const data = await this.stats.channelStats(id, channel.id, options);
				const ctx = await context(data.topMembers.map((entry) => entry.userId));
				const target = { id: channel.id, label: channelLabel({ name: channel.name, kind: channel.kind }, channel.id), voice: channel.kind === 'voice' };
				return { view: channelView(data, target, ctx), target: channel.id, extraKey: {} };
			}
			case 'top': {
				const [entries, overview] = await Promise.all([
					this.stats.top(id, { ...options, target: request.target, by: request.by, limit: 10 }),
					this.stats.overview(id, options)
				]);
				const ctx = await context(request.target === 'members' ? entries.map((entry) => entry.id) : []);
				return { view: topView(entries, overview, { target: request.target, by: request.by }, ctx), target: null, extraKey: { target: request.target, by: request.by } };
			}
			case 'activity': {
				const data = await this.stats.heatmap(id, { ...options, metric: request.metric });
				return { view: activityView(data, await context([])), target: null, extraKey: { metric: request.metric } };
			}
			case 'voice': {
				const data = await this.stats.voiceStats(id, options);
				return { view: voiceView(data, await context(data.topMembers.slice(0, 10).map((entry) => entry.id))), target: null, extraKey: {} };
			}
			case 'growth': {
				const data = await this.stats.growth(id, options);
				// The member count is drawn in the image: part of the key.
				return { view: growthView(data, await context([])), target: null, extraKey: { memberCount: String(guild.memberCount ?? '') } };
			}
		}
	}
}

export function optedOutError(name: string): UserError {
	return new UserError({
		identifier: 'GuildStatsOptedOut',
		message: `${name} opted out of server statistics (\`/guildstats ignoreme\`): nothing about them is shown.`
	});
}

export type { ReportName };
