import { FAMILIES, timeColumn, type CounterFamily, type Granularity } from './statsSchema.js';
import type { StatsDeltas } from './statsTypes.js';

type Value = string | number;

/**
 * Rows of one counter table, merged by primary key. A row's values are laid out as
 * `[guild_id, <time>, ...other keys, ...flags, ...sums]` (see `columnsOf`), ready for a
 * multi-row upsert.
 */
export class RowSet {
	public readonly rows = new Map<string, Value[]>();
	private readonly keyCount: number;
	private readonly flagCount: number;

	public constructor(
		public readonly family: CounterFamily,
		public readonly granularity: Granularity
	) {
		this.keyCount = family.keys.length + 1;
		this.flagCount = family.flags.length;
	}

	/** `keys` in primary-key order (guild_id, time, rest). Sums are added; flags take the latest value. */
	public add(keys: Value[], flags: number[], sums: number[]): void {
		const id = keys.join('\u0001');
		const existing = this.rows.get(id);
		if (!existing) {
			this.rows.set(id, [...keys, ...flags, ...sums]);
			return;
		}
		for (let index = 0; index < flags.length; index++) existing[this.keyCount + index] = flags[index];
		const offset = this.keyCount + this.flagCount;
		for (let index = 0; index < sums.length; index++) existing[offset + index] = (existing[offset + index] as number) + sums[index];
	}

	public get size(): number {
		return this.rows.size;
	}

	/** Rows sorted by key, so every writer takes row locks in the same order (no deadlocks on PostgreSQL). */
	public sortedRows(): Value[][] {
		return [...this.rows.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((entry) => entry[1]);
	}
}

export function columnsOf(family: CounterFamily, granularity: Granularity) {
	const keys = ['guild_id', timeColumn(granularity), ...family.keys.filter((key) => key !== 'guild_id')];
	return { keys, flags: [...family.flags], sums: [...family.sums], all: [...keys, ...family.flags, ...family.sums] };
}

const flag = (value: boolean) => (value ? 1 : 0);

export interface DerivedFamilies {
	message: RowSet;
	reaction: RowSet;
	voice: RowSet;
	member: RowSet;
	channel: RowSet;
	guild: RowSet;
	command: RowSet;
	botGuild: RowSet;
}

/**
 * Expands deltas into the rows of every counter family at one granularity: the detail rows
 * (per member per channel) plus what is derived from them (per member, per channel, per guild).
 * `timeOf` maps a delta's `hour` to the table's time value (hour itself, or its UTC day).
 * With `sign = -1` the same expansion removes a member's contribution from the aggregates.
 */
export function deriveFamilies(deltas: StatsDeltas, granularity: Granularity, timeOf: (hour: number) => number, sign: 1 | -1 = 1): DerivedFamilies {
	const out: DerivedFamilies = {
		message: new RowSet(FAMILIES.message, granularity),
		reaction: new RowSet(FAMILIES.reaction, granularity),
		voice: new RowSet(FAMILIES.voice, granularity),
		member: new RowSet(FAMILIES.member, granularity),
		channel: new RowSet(FAMILIES.channel, granularity),
		guild: new RowSet(FAMILIES.guild, granularity),
		command: new RowSet(FAMILIES.command, granularity),
		botGuild: new RowSet(FAMILIES.botGuild, granularity)
	};
	const s = sign;
	for (const delta of deltas.messages) {
		const time = timeOf(delta.hour);
		const bot = flag(delta.bot);
		const messages = s * delta.messages;
		out.message.add([delta.guildId, time, delta.channelId, delta.threadId, delta.userId], [bot], [messages]);
		out.member.add([delta.guildId, time, delta.userId], [bot], [messages, 0, 0, 0]);
		out.channel.add([delta.guildId, time, delta.channelId, bot], [], [messages, 0, 0]);
		out.guild.add([delta.guildId, time, bot], [], [messages, 0, 0, 0, 0, 0, 0, 0, 0]);
	}
	for (const delta of deltas.reactions) {
		const time = timeOf(delta.hour);
		const bot = flag(delta.bot);
		const given = s * delta.given;
		out.reaction.add([delta.guildId, time, delta.channelId, delta.userId], [bot], [given, s * delta.received]);
		out.member.add([delta.guildId, time, delta.userId], [bot], [0, 0, given, s * delta.received]);
		// Channel and guild totals count reactions once: as added (given), in the channel of the message.
		if (given !== 0) {
			out.channel.add([delta.guildId, time, delta.channelId, bot], [], [0, 0, given]);
			out.guild.add([delta.guildId, time, bot], [], [0, 0, 0, 0, 0, 0, given, 0, 0]);
		}
	}
	for (const delta of deltas.voice) {
		const time = timeOf(delta.hour);
		const bot = flag(delta.bot);
		const seconds = s * delta.seconds;
		out.voice.add(
			[delta.guildId, time, delta.channelId, delta.userId],
			[bot],
			[seconds, s * delta.mutedSeconds, s * delta.deafenedSeconds, s * delta.streamingSeconds, s * delta.sessions]
		);
		out.member.add([delta.guildId, time, delta.userId], [bot], [0, seconds, 0, 0]);
		out.channel.add([delta.guildId, time, delta.channelId, bot], [], [0, seconds, 0]);
		out.guild.add(
			[delta.guildId, time, bot],
			[],
			[0, seconds, s * delta.mutedSeconds, s * delta.deafenedSeconds, s * delta.streamingSeconds, s * delta.sessions, 0, 0, 0]
		);
	}
	for (const delta of deltas.membership) {
		out.guild.add([delta.guildId, timeOf(delta.hour), flag(delta.bot)], [], [0, 0, 0, 0, 0, 0, 0, s * delta.joins, s * delta.leaves]);
	}
	for (const delta of deltas.commands) {
		out.command.add([delta.guildId, timeOf(delta.hour), delta.command], [], [s * delta.ok, s * delta.failed, s * delta.durationMs]);
	}
	for (const delta of deltas.botGuilds) {
		out.botGuild.add([delta.guildId, timeOf(delta.hour)], [], [s * delta.joins, s * delta.leaves]);
	}
	return out;
}

export interface GuildFlushTotals {
	messages: number;
	voice_seconds: number;
	reactions: number;
	joins: number;
	leaves: number;
	commands: number;
	commands_failed: number;
}

/** One member's row of stats_member_totals: [guild_id, user_id, bot, last_at, voice_last_at, messages, voice_seconds, reactions_added]. */
export type MemberTotalsRow = [string, string, number, number, number, number, number, number];

/** One channel's row of stats_channel_totals: [guild_id, channel_id, last_at, messages, voice_seconds, reactions_added]. */
export type ChannelTotalsRow = [string, string, number, number, number, number];

/** Per-guild totals of one flush (for the rolling analytics window) and each member's and channel's totals delta. */
export function summarizeDeltas(deltas: StatsDeltas) {
	const guilds = new Map<string, GuildFlushTotals>();
	const totalsOf = (guildId: string) => {
		let totals = guilds.get(guildId);
		if (!totals) guilds.set(guildId, (totals = { messages: 0, voice_seconds: 0, reactions: 0, joins: 0, leaves: 0, commands: 0, commands_failed: 0 }));
		return totals;
	};
	const members = new Map<string, MemberTotalsRow>();
	const memberOf = (guildId: string, userId: string, bot: boolean): MemberTotalsRow => {
		const id = `${guildId}\u0001${userId}`;
		let row = members.get(id);
		if (!row) members.set(id, (row = [guildId, userId, flag(bot), 0, 0, 0, 0, 0]));
		return row;
	};
	const channels = new Map<string, ChannelTotalsRow>();
	const channelOf = (guildId: string, channelId: string, at: number): ChannelTotalsRow => {
		const id = `${guildId}\u0001${channelId}`;
		let row = channels.get(id);
		if (!row) channels.set(id, (row = [guildId, channelId, 0, 0, 0, 0]));
		row[2] = Math.max(row[2], at);
		return row;
	};
	for (const delta of deltas.messages) {
		totalsOf(delta.guildId).messages += delta.messages;
		if (delta.messages <= 0) continue;
		const row = memberOf(delta.guildId, delta.userId, delta.bot);
		row[3] = Math.max(row[3], delta.lastAt);
		row[5] += delta.messages;
		channelOf(delta.guildId, delta.channelId, delta.lastAt)[3] += delta.messages;
	}
	for (const delta of deltas.reactions) {
		totalsOf(delta.guildId).reactions += delta.given;
		if (delta.added <= 0) continue;
		const row = memberOf(delta.guildId, delta.userId, delta.bot);
		row[3] = Math.max(row[3], delta.lastAt);
		row[7] += delta.added;
		channelOf(delta.guildId, delta.channelId, delta.lastAt)[5] += delta.added;
	}
	for (const delta of deltas.voice) {
		totalsOf(delta.guildId).voice_seconds += delta.seconds;
		if (delta.seconds <= 0) continue;
		const row = memberOf(delta.guildId, delta.userId, delta.bot);
		row[3] = Math.max(row[3], delta.lastAt);
		row[4] = Math.max(row[4], delta.lastAt);
		row[6] += delta.seconds;
		channelOf(delta.guildId, delta.channelId, delta.lastAt)[4] += delta.seconds;
	}
	for (const delta of deltas.membership) {
		const totals = totalsOf(delta.guildId);
		totals.joins += delta.joins;
		totals.leaves += delta.leaves;
	}
	for (const delta of deltas.commands) {
		const totals = totalsOf(delta.guildId);
		totals.commands += delta.ok + delta.failed;
		totals.commands_failed += delta.failed;
	}
	for (const delta of deltas.botGuilds) totalsOf(delta.guildId);
	return { guilds, members, channels };
}
