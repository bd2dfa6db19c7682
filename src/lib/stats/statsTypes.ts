import type { Bucket } from './HourBucketer.js';
import type { TimeRange } from './timeBuckets.js';

export type { Bucket } from './HourBucketer.js';
export type { TimeRange } from './timeBuckets.js';

/*
 * Deltas: what the aggregator hands the store on a flush. Every number is an increment that the
 * store ADDS to the stored row (upsert), so concurrent writers never overwrite each other.
 * `hour` is the UTC epoch hour (floor(ms / 3_600_000)). Ids are Discord snowflakes as strings.
 * Nothing here (or in the store) can hold message content: only ids and counts.
 */

/** Messages one member sent in one channel in one hour. */
export interface MessageDelta {
	guildId: string;
	/** The channel that reports show: the parent channel for a message in a thread. */
	channelId: string;
	/** The thread the message was posted in, or '' for a message posted in the channel itself. */
	threadId: string;
	userId: string;
	hour: number;
	bot: boolean;
	messages: number;
	/** Latest event time (epoch ms) folded into this delta. */
	lastAt: number;
}

/** Reactions one member added (given) and received on their messages, in one channel and hour (net of removals). */
export interface ReactionDelta {
	guildId: string;
	channelId: string;
	userId: string;
	hour: number;
	bot: boolean;
	/** Net: added minus removed. */
	given: number;
	received: number;
	/** Reactions this member added (removals not subtracted). */
	added: number;
	/** Latest time this member added a reaction (0 when the delta holds only removals or received). */
	lastAt: number;
}

/** Voice seconds of one member in one channel and hour. */
export interface VoiceDelta {
	guildId: string;
	channelId: string;
	userId: string;
	hour: number;
	bot: boolean;
	seconds: number;
	mutedSeconds: number;
	deafenedSeconds: number;
	streamingSeconds: number;
	/** Voice sessions (join -> leave in the guild) that started in this channel and hour. */
	sessions: number;
	lastAt: number;
}

/** Members joining/leaving a guild in one hour (anonymous counts). */
export interface MembershipDelta {
	guildId: string;
	hour: number;
	bot: boolean;
	joins: number;
	leaves: number;
}

/** Slash command runs in one guild ('' for DMs) and hour (anonymous counts). */
export interface CommandDelta {
	guildId: string;
	command: string;
	hour: number;
	ok: number;
	failed: number;
	durationMs: number;
}

/** The bot itself joining/leaving a guild. */
export interface BotGuildDelta {
	guildId: string;
	hour: number;
	joins: number;
	leaves: number;
}

export interface StatsDeltas {
	messages: MessageDelta[];
	reactions: ReactionDelta[];
	voice: VoiceDelta[];
	membership: MembershipDelta[];
	commands: CommandDelta[];
	botGuilds: BotGuildDelta[];
}

export const emptyDeltas = (): StatsDeltas => ({ messages: [], reactions: [], voice: [], membership: [], commands: [], botGuilds: [] });

export const deltaRowCount = (deltas: StatsDeltas): number =>
	deltas.messages.length + deltas.reactions.length + deltas.voice.length + deltas.membership.length + deltas.commands.length + deltas.botGuilds.length;

/*
 * Reports.
 */

export type MembersFilter = 'humans' | 'bots' | 'both';

export interface ReportOptions {
	range: TimeRange;
	/** 'hour' or 'day' buckets for series, in `timezone`. */
	bucket: Bucket;
	/** IANA zone, e.g. 'Europe/Berlin'. Day buckets and the heatmap use local days/hours. */
	timezone: string;
	members: MembersFilter;
	/**
	 * Only these members (e.g. the holders of a role, resolved from the member list at query time:
	 * the store keeps ids and counts only). Totals, series, top lists and the heatmap then come from
	 * the per-member rows; joins, leaves and commands are not kept per member and read 0.
	 */
	userIds?: readonly string[];
}

export interface OverviewTotals {
	messages: number;
	/** Distinct members who sent a message, were in voice or added a reaction. */
	activeMembers: number;
	voiceSeconds: number;
	voiceMinutes: number;
	/** Reactions added (net of removals). */
	reactions: number;
	joins: number;
	leaves: number;
	/** joins - leaves */
	net: number;
	/** Command runs (ok + failed). Commands are not split by members filter. */
	commands: number;
	commandsFailed: number;
	/** The same figures for the previous period of the same length; null when the range starts at the beginning. */
	previous?: Omit<OverviewTotals, 'previous'> | null;
}

export interface SeriesPoint {
	/** Bucket start, epoch ms (local midnight for day buckets). */
	start: number;
	messages: number;
	activeMembers: number;
	voiceMinutes: number;
	reactions: number;
	joins: number;
	leaves: number;
}

export type TopMetric = 'messages' | 'voice' | 'reactions';
export type TopTarget = 'members' | 'channels';

export interface TopOptions extends ReportOptions {
	target: TopTarget;
	by: TopMetric;
	/** Default 10, at most 100. */
	limit?: number;
}

export interface TopEntry {
	/** User id or channel id. */
	id: string;
	/** The value ranked by (messages, voice seconds, or reactions). */
	value: number;
	messages: number;
	voiceSeconds: number;
	/** Members: reactions given. Channels: reactions added in the channel. */
	reactions: number;
}

export interface ServerReport {
	overview: OverviewTotals;
	series: SeriesPoint[];
	topChannels: TopEntry[];
	topMembers: TopEntry[];
}

export interface MemberStats {
	userId: string;
	/** True when the member opted out: every number is 0 and nothing about them is reported. */
	optedOut: boolean;
	totals: { messages: number; voiceSeconds: number; reactionsGiven: number; reactionsReceived: number };
	/** The totals of the previous period of the same length; null when the range starts at the beginning. */
	previousTotals?: MemberStats['totals'] | null;
	series: { start: number; messages: number; voiceMinutes: number; reactionsGiven: number }[];
	topChannels: { channelId: string; messages: number; voiceSeconds: number }[];
}

export interface ChannelStats {
	channelId: string;
	/** True when `channelId` is a thread: figures are the thread's own; a parent channel's include its threads. */
	thread: boolean;
	totals: { messages: number; activeMembers: number; voiceSeconds: number; reactions: number };
	/** The totals of the previous period of the same length; null when the range starts at the beginning. */
	previousTotals?: ChannelStats['totals'] | null;
	series: { start: number; messages: number; voiceMinutes: number }[];
	topMembers: { userId: string; messages: number; voiceSeconds: number }[];
}

export interface Heatmap {
	metric: 'messages' | 'voice';
	timezone: string;
	/** cells[weekday][hourOfDay], weekday 0 = Monday ... 6 = Sunday, local time. Voice in minutes. */
	cells: number[][];
	max: number;
	total: number;
	/** The total of the previous period of the same length (hours still kept hourly); null when there is none. */
	previousTotal?: number | null;
}

export interface VoiceStats {
	totals: { seconds: number; mutedSeconds: number; deafenedSeconds: number; streamingSeconds: number; sessions: number; members: number };
	/** The totals of the previous period of the same length; null when the range starts at the beginning. */
	previousTotals?: VoiceStats['totals'] | null;
	series: { start: number; minutes: number; mutedMinutes: number; streamingMinutes: number }[];
	topChannels: TopEntry[];
	topMembers: TopEntry[];
}

export interface GrowthReport {
	totals: { joins: number; leaves: number; net: number };
	/** The totals of the previous period of the same length; null when the range starts at the beginning. */
	previousTotals?: GrowthReport['totals'] | null;
	series: { start: number; joins: number; leaves: number; net: number; cumulative: number }[];
}

/*
 * Privacy and settings.
 */

export type OptOutMode = 'hide' | 'delete';
export type IgnoredKind = 'channel' | 'category';

export interface PrivacySnapshot {
	optOuts: { userId: string; mode: OptOutMode }[];
	ignoredChannels: { guildId: string; channelId: string; kind: IgnoredKind }[];
	disabledGuilds: string[];
}

/** Who may see another member's report: anyone, or only themselves and admins (Manage Server). */
export type MemberReportVisibility = 'everyone' | 'self_and_admins';
export const MEMBER_REPORT_VISIBILITIES: readonly MemberReportVisibility[] = ['everyone', 'self_and_admins'];

export interface GuildSettings {
	guildId: string;
	timezone: string;
	memberReports: MemberReportVisibility;
	enabled: boolean;
	ignored: { channelId: string; kind: IgnoredKind }[];
	/** When the guild's data will be deleted (after the bot left), epoch ms, or null. */
	deletionAt: number | null;
}

/*
 * Operational summaries.
 */

export interface GuildActivity {
	guildId: string;
	messages: number;
	activeMembers: number;
	voiceMinutes: number;
	reactions: number;
	joins: number;
	leaves: number;
	commands: number;
	commandsFailed: number;
}

export interface AnalyticsSnapshot {
	/** Window start and end (epoch ms): activity flushed in [from, to). */
	from: number;
	to: number;
	/** Sequence number of the latest flush counted (the next window counts the flushes after it). */
	seq?: number;
	guilds: GuildActivity[];
	total: Omit<GuildActivity, 'guildId'>;
}

export interface DailySummary {
	/** 'YYYY-MM-DD' (UTC). */
	day: string;
	guilds: (GuildActivity & { topChannels: { channelId: string; messages: number }[] })[];
	/** Active members: distinct users across all guilds. */
	overall: Omit<GuildActivity, 'guildId'>;
	botGuildJoins: number;
	botGuildLeaves: number;
}

export interface StoreTotals {
	messages: number;
	reactions: number;
	voiceSeconds: number;
	joins: number;
	leaves: number;
	commands: number;
}

export interface PruneResult {
	hourlyRows: number;
	dailyRows: number;
	guildsPurged: string[];
}
