import { UserError } from '@sapphire/framework';
import type { APIEmbed } from 'discord.js';
import type { ChartSpec } from '#lib/charts/ChartSpecs.js';
import type { CachedImage, ImageCache } from '#lib/charts/ImageCache.js';
import { imageCacheKey, type ImageKeyParts } from '#lib/charts/imageCacheKey.js';
import { LRUCache } from 'lru-cache';
import type { StatsReports } from '#lib/stats/StatsReports.js';
import type { StatsService } from '#lib/stats/StatsService.js';
import type { TopMetric, TopTarget } from '#lib/stats/statsTypes.js';
import { channelLabel, memberLabel, type ChannelKind, type MemberInfo, type NameSource } from './NameSource.js';
import { renderFooter, reportEmbed } from './reportEmbed.js';
import { reportTimezone, resolveReportOptions, type ReportRequestOptions, type ResolvedReportOptions } from './reportOptions.js';
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
	/** Ids of the members who hold a role now (from the member list); needed for the `role` option. */
	roleMembers?: (roleId: string) => Promise<readonly string[]>;
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

export type ReportQueries = Pick<StatsReports, 'serverReport' | 'memberStats' | 'channelStats' | 'top' | 'overview' | 'heatmap' | 'voiceStats' | 'growth'>;
export type ReportStats = Pick<StatsService, 'dataVersion' | 'isGuildEnabled'> & { store: { reports: ReportQueries } };

export interface GuildStatsReportsOptions {
	stats: ReportStats;
	/** The guild's IANA timezone (admins set it; default UTC). */
	timezoneOf: (guildId: string) => Promise<string>;
	charts: { render(spec: ChartSpec): Promise<{ png: Buffer }> };
	cache: Pick<ImageCache, 'get'>;
	/** The views (figures + names) kept next to the images, so a cache hit runs no query: same bounds as the image cache. */
	views?: { max?: number; ttlMs?: number };
	now?: () => number;
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
	private readonly views: LRUCache<string, ReportView>;
	/** Guild timezones by data version (a timezone change advances the version). */
	private readonly zones = new LRUCache<string, { version: number; zone: string }>({ max: 1000 });

	public constructor(options: GuildStatsReportsOptions) {
		this.stats = options.stats;
		this.timezoneOf = options.timezoneOf;
		this.charts = options.charts;
		this.cache = options.cache;
		this.now = options.now ?? Date.now;
		this.views = new LRUCache<string, ReportView>({ max: options.views?.max ?? 100, ttl: options.views?.ttlMs ?? 5 * 60_000, updateAgeOnGet: false });
	}

	/**
	 * The report: its view (figures and names) and image come from the caches when this guild's data
	 * version, the options and the hour are unchanged; otherwise the store is queried and the image
	 * rendered, once for any number of identical requests in flight.
	 */
	public async run(request: ReportRequest, guild: GuildContext): Promise<ReportResult> {
		const dataVersion = this.stats.dataVersion(guild.id);
		const resolved = resolveReportOptions(request.options, { timezone: await this.timezone(guild.id, dataVersion), now: this.now() });
		const role = request.options.role;
		let roleKey: Record<string, string> = {};
		if (role) {
			if (!guild.roleMembers) throw new RangeError('the role option needs GuildContext.roleMembers');
			const ids = await guild.roleMembers(role.id);
			resolved.options.userIds = ids;
			resolved.membersLabel = `${resolved.membersLabel} with the role ${role.name} (${ids.length} now)`;
			// Membership changes do not advance the data version: the members are part of the key.
			roleKey = { role: role.id, roleMembers: membersKey(ids) };
		}
		const parts: ImageKeyParts = {
			guildId: guild.id,
			report: request.report,
			target: targetOf(request),
			options: { ...resolved.keyOptions, ...extraKey(request, guild), ...roleKey, enabled: this.stats.isGuildEnabled(guild.id) },
			dataVersion
		};
		const key = imageCacheKey(parts);
		const build = async () => {
			const view = await this.build(request, guild, resolved);
			this.views.set(key, view);
			return view;
		};
		if (request.options.graphic === 'text') {
			const view = this.views.get(key) ?? (await build());
			return { view, embed: reportEmbed(view, { footer: 'Text-only report · Nexus' }), image: null };
		}

		let view = this.views.get(key);
		const image: CachedImage = await this.cache.get(parts, async () => {
			view ??= await build();
			return (await this.charts.render(view.spec)).png;
		});
		// Requests that joined a render find the view its renderer kept; a view evicted before its image is rebuilt.
		view ??= this.views.get(key) ?? (await build());
		const name = `guildstats-${request.report}.png`;
		return {
			view,
			embed: reportEmbed(view, { imageName: name, footer: renderFooter(image) }),
			image: { name, png: image.png, cached: image.cached, deduped: image.deduped, renderMs: image.renderMs }
		};
	}

	private async timezone(guildId: string, version: number): Promise<string> {
		const known = this.zones.get(guildId);
		if (known && known.version === version) return known.zone;
		const zone = reportTimezone(await this.timezoneOf(guildId));
		this.zones.set(guildId, { version, zone });
		return zone;
	}

	private async build(request: ReportRequest, guild: GuildContext, resolved: ResolvedReportOptions): Promise<ReportView> {
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
				const data = await this.stats.store.reports.serverReport(id, options, 10);
				return serverView(data, await context(data.topMembers.map((entry) => entry.id)));
			}
			case 'member': {
				const { member } = request;
				const data = await this.stats.store.reports.memberStats(id, member.id, options);
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
				return memberView(data, { id: member.id, name: label, inGuild: member.inGuild }, await context([]));
			}
			case 'channel': {
				const { channel } = request;
				const data = await this.stats.store.reports.channelStats(id, channel.id, options);
				const ctx = await context(data.topMembers.map((entry) => entry.userId));
				const target = { id: channel.id, label: channelLabel({ name: channel.name, kind: channel.kind }, channel.id), voice: channel.kind === 'voice' };
				return channelView(data, target, ctx);
			}
			case 'top': {
				const [entries, overview] = await Promise.all([
					this.stats.store.reports.top(id, { ...options, target: request.target, by: request.by, limit: 10 }),
					this.stats.store.reports.overview(id, options)
				]);
				const ctx = await context(request.target === 'members' ? entries.map((entry) => entry.id) : []);
				return topView(entries, overview, { target: request.target, by: request.by }, ctx);
			}
			case 'activity': {
				const data = await this.stats.store.reports.heatmap(id, { ...options, metric: request.metric });
				return activityView(data, await context([]));
			}
			case 'voice': {
				const data = await this.stats.store.reports.voiceStats(id, options);
				return voiceView(data, await context(data.topMembers.slice(0, 10).map((entry) => entry.id)));
			}
			case 'growth': {
				const data = await this.stats.store.reports.growth(id, options);
				return growthView(data, await context([]));
			}
		}
	}
}

/** The member or channel a report is about (part of the cache key). */
function targetOf(request: ReportRequest): string | null {
	if (request.report === 'member') return request.member.id;
	if (request.report === 'channel') return request.channel.id;
	return null;
}

/** Report-specific options that change the image (part of the cache key). */
function extraKey(request: ReportRequest, guild: GuildContext): Record<string, string> {
	switch (request.report) {
		case 'top':
			return { target: request.target, by: request.by };
		case 'activity':
			return { metric: request.metric };
		case 'growth':
			// The member count is drawn in the growth image.
			return { memberCount: String(guild.memberCount ?? '') };
		default:
			return {};
	}
}

/** A short stable digest of a member set (FNV-1a over the sorted ids) for cache keys. */
function membersKey(ids: readonly string[]): string {
	let hash = 0x811c9dc5;
	for (const id of [...ids].sort()) {
		for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
		hash = Math.imul(hash ^ 44, 0x01000193);
	}
	return `${ids.length}:${(hash >>> 0).toString(36)}`;
}

/** `name` null: the member asked about themselves. */
export function optedOutError(name: string | null): UserError {
	return new UserError({
		identifier: 'GuildStatsOptedOut',
		message:
			name === null
				? 'You opted out of server statistics, so there is nothing to show. `/guildstats ignoreme action:optin` counts you again.'
				: `${name} opted out of server statistics (\`/guildstats ignoreme\`): nothing about them is shown.`
	});
}

export type { ReportName };
