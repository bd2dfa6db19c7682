import type { BotGuildDelta, CommandDelta, MembershipDelta, MessageDelta, ReactionDelta, StatsDeltas, VoiceDelta } from './statsTypes.js';
import { HOUR_MS, hourOf } from './timeBuckets.js';

export interface MessageEvent {
	guildId: string;
	/** Where the message was posted: a channel, or a thread. */
	channelId: string;
	/** Set when `channelId` is a thread: the thread's parent channel. */
	parentChannelId?: string | null;
	userId: string;
	bot: boolean;
	/** Epoch ms. */
	at: number;
}

export interface ReactionEvent {
	guildId: string;
	channelId: string;
	parentChannelId?: string | null;
	messageId?: string;
	/** Who added (delta 1) or removed (delta -1) the reaction. */
	userId: string;
	bot?: boolean;
	/** The message's author, when known (cached message or partial with author). */
	authorId?: string | null;
	authorBot?: boolean;
	delta: 1 | -1;
	at: number;
}

/** A stretch of voice time with one state, from the voice tracker. */
export interface VoiceSegment {
	guildId: string;
	channelId: string;
	userId: string;
	bot: boolean;
	/** Epoch seconds, [fromSec, toSec). */
	fromSec: number;
	toSec: number;
	muted: boolean;
	deafened: boolean;
	streaming: boolean;
	/** True on the first segment of a new session (counts one session at `fromSec`). */
	sessionStart: boolean;
}

export interface MemberEvent {
	guildId: string;
	userId: string;
	bot?: boolean;
	at: number;
}

export interface CommandEvent {
	/** null for a command run in DMs. */
	guildId: string | null;
	command: string;
	ok: boolean;
	durationMs: number;
	at: number;
}

const SEP = '\u0001';

/**
 * In-memory counters keyed by guild/channel/member/hour, updated synchronously in O(1) with no
 * I/O. Every entry in the maps is dirty by construction: `drain()` hands all of them out as deltas
 * and starts empty maps, so memory is bounded by the distinct keys touched in one flush interval,
 * never by history. A failed write gives the deltas back with `restore()`, which adds them to
 * whatever was recorded meanwhile (nothing is lost or counted twice).
 *
 * Threads: a message in a thread is counted ONCE, under its parent channel (so the parent's
 * figures include its threads and guild totals are not doubled), with the thread id kept
 * alongside so per-thread figures can be read too.
 */
export class StatsAggregator {
	private messages = new Map<string, MessageDelta>();
	private reactions = new Map<string, ReactionDelta>();
	private voice = new Map<string, VoiceDelta>();
	private membership = new Map<string, MembershipDelta>();
	private commands = new Map<string, CommandDelta>();
	private botGuilds = new Map<string, BotGuildDelta>();
	private events = 0;

	public recordMessage(event: MessageEvent): void {
		const hour = hourOf(event.at);
		const channelId = event.parentChannelId || event.channelId;
		const threadId = event.parentChannelId ? event.channelId : '';
		const key = event.guildId + SEP + channelId + SEP + threadId + SEP + event.userId + SEP + hour;
		let row = this.messages.get(key);
		if (!row) {
			row = { guildId: event.guildId, channelId, threadId, userId: event.userId, hour, bot: event.bot, messages: 0, lastAt: 0 };
			this.messages.set(key, row);
		}
		row.messages += 1;
		if (event.at > row.lastAt) row.lastAt = event.at;
		this.events += 1;
	}

	/**
	 * A reaction added (+1) or removed (-1): "given" for the member who reacted, "received" for
	 * the message author. Either side can be skipped (privacy: that member opted out).
	 */
	public recordReaction(event: ReactionEvent, skip: { given?: boolean; received?: boolean } = {}): void {
		const hour = hourOf(event.at);
		const channelId = event.parentChannelId || event.channelId;
		if (!skip.given) {
			const row = this.reactionRow(event.guildId, channelId, event.userId, hour, event.bot ?? false);
			row.given += event.delta;
			if (event.delta > 0) {
				row.added += 1;
				if (event.at > row.lastAt) row.lastAt = event.at;
			}
		}
		if (!skip.received && event.authorId) {
			const row = this.reactionRow(event.guildId, channelId, event.authorId, hour, event.authorBot ?? false);
			row.received += event.delta;
		}
		this.events += 1;
	}

	private reactionRow(guildId: string, channelId: string, userId: string, hour: number, bot: boolean): ReactionDelta {
		const key = guildId + SEP + channelId + SEP + userId + SEP + hour;
		let row = this.reactions.get(key);
		if (!row) {
			row = { guildId, channelId, userId, hour, bot, given: 0, received: 0, added: 0, lastAt: 0 };
			this.reactions.set(key, row);
		}
		return row;
	}

	/** Adds a voice segment, split at hour boundaries (a segment spans few hours: the tracker credits it at every flush). */
	public recordVoice(segment: VoiceSegment): void {
		let from = segment.fromSec;
		const to = segment.toSec;
		if (!(to > from)) {
			if (segment.sessionStart) this.voiceRow(segment, Math.floor((from * 1000) / HOUR_MS)).sessions += 1;
			return;
		}
		let first = true;
		while (from < to) {
			const hour = Math.floor((from * 1000) / HOUR_MS);
			const end = Math.min(to, ((hour + 1) * HOUR_MS) / 1000);
			const seconds = end - from;
			const row = this.voiceRow(segment, hour);
			row.seconds += seconds;
			if (segment.muted) row.mutedSeconds += seconds;
			if (segment.deafened) row.deafenedSeconds += seconds;
			if (segment.streaming) row.streamingSeconds += seconds;
			if (first && segment.sessionStart) row.sessions += 1;
			// The last millisecond inside the segment, so it falls in this hour.
			if (end * 1000 - 1 > row.lastAt) row.lastAt = end * 1000 - 1;
			first = false;
			from = end;
		}
		this.events += 1;
	}

	private voiceRow(segment: VoiceSegment, hour: number): VoiceDelta {
		const key = segment.guildId + SEP + segment.channelId + SEP + segment.userId + SEP + hour;
		let row = this.voice.get(key);
		if (!row) {
			row = {
				guildId: segment.guildId,
				channelId: segment.channelId,
				userId: segment.userId,
				hour,
				bot: segment.bot,
				seconds: 0,
				mutedSeconds: 0,
				deafenedSeconds: 0,
				streamingSeconds: 0,
				sessions: 0,
				lastAt: 0
			};
			this.voice.set(key, row);
		}
		return row;
	}

	public recordMemberJoin(event: MemberEvent): void {
		this.membershipRow(event).joins += 1;
	}

	public recordMemberLeave(event: MemberEvent): void {
		this.membershipRow(event).leaves += 1;
	}

	private membershipRow(event: MemberEvent): MembershipDelta {
		const hour = hourOf(event.at);
		const bot = event.bot ?? false;
		const key = event.guildId + SEP + hour + SEP + (bot ? 1 : 0);
		let row = this.membership.get(key);
		if (!row) {
			row = { guildId: event.guildId, hour, bot, joins: 0, leaves: 0 };
			this.membership.set(key, row);
		}
		this.events += 1;
		return row;
	}

	public recordGuildJoin(event: { guildId: string; at: number }): void {
		this.botGuildRow(event.guildId, event.at).joins += 1;
	}

	public recordGuildLeave(event: { guildId: string; at: number }): void {
		this.botGuildRow(event.guildId, event.at).leaves += 1;
	}

	private botGuildRow(guildId: string, at: number): BotGuildDelta {
		const hour = hourOf(at);
		const key = guildId + SEP + hour;
		let row = this.botGuilds.get(key);
		if (!row) {
			row = { guildId, hour, joins: 0, leaves: 0 };
			this.botGuilds.set(key, row);
		}
		this.events += 1;
		return row;
	}

	public recordCommand(event: CommandEvent): void {
		const guildId = event.guildId ?? '';
		const hour = hourOf(event.at);
		const key = guildId + SEP + event.command + SEP + hour;
		let row = this.commands.get(key);
		if (!row) {
			row = { guildId, command: event.command, hour, ok: 0, failed: 0, durationMs: 0 };
			this.commands.set(key, row);
		}
		if (event.ok) row.ok += 1;
		else row.failed += 1;
		row.durationMs += Math.max(0, Math.round(event.durationMs));
		this.events += 1;
	}

	/** Number of dirty rows waiting for a flush. */
	public get size(): number {
		return this.messages.size + this.reactions.size + this.voice.size + this.membership.size + this.commands.size + this.botGuilds.size;
	}

	/** Events recorded since the last drain. */
	public get pendingEvents(): number {
		return this.events;
	}

	/** Hands out every dirty row and starts over with empty maps. */
	public drain(): StatsDeltas {
		const deltas: StatsDeltas = {
			messages: [...this.messages.values()],
			reactions: [...this.reactions.values()],
			voice: [...this.voice.values()],
			membership: [...this.membership.values()],
			commands: [...this.commands.values()],
			botGuilds: [...this.botGuilds.values()]
		};
		this.messages = new Map();
		this.reactions = new Map();
		this.voice = new Map();
		this.membership = new Map();
		this.commands = new Map();
		this.botGuilds = new Map();
		this.events = 0;
		return deltas;
	}

	/** Puts drained deltas back (a flush failed), adding them to anything recorded since. */
	public restore(deltas: StatsDeltas): void {
		for (const delta of deltas.messages) {
			const key = delta.guildId + SEP + delta.channelId + SEP + delta.threadId + SEP + delta.userId + SEP + delta.hour;
			const row = this.messages.get(key);
			if (!row) this.messages.set(key, { ...delta });
			else {
				row.messages += delta.messages;
				row.lastAt = Math.max(row.lastAt, delta.lastAt);
			}
		}
		for (const delta of deltas.reactions) {
			const row = this.reactionRow(delta.guildId, delta.channelId, delta.userId, delta.hour, delta.bot);
			row.given += delta.given;
			row.received += delta.received;
			row.added += delta.added;
			row.lastAt = Math.max(row.lastAt, delta.lastAt);
		}
		for (const delta of deltas.voice) {
			const row = this.voiceRow({ guildId: delta.guildId, channelId: delta.channelId, userId: delta.userId, bot: delta.bot } as VoiceSegment, delta.hour);
			row.seconds += delta.seconds;
			row.mutedSeconds += delta.mutedSeconds;
			row.deafenedSeconds += delta.deafenedSeconds;
			row.streamingSeconds += delta.streamingSeconds;
			row.sessions += delta.sessions;
			row.lastAt = Math.max(row.lastAt, delta.lastAt);
		}
		for (const delta of deltas.membership) {
			const key = delta.guildId + SEP + delta.hour + SEP + (delta.bot ? 1 : 0);
			const row = this.membership.get(key);
			if (!row) this.membership.set(key, { ...delta });
			else {
				row.joins += delta.joins;
				row.leaves += delta.leaves;
			}
		}
		for (const delta of deltas.commands) {
			const key = delta.guildId + SEP + delta.command + SEP + delta.hour;
			const row = this.commands.get(key);
			if (!row) this.commands.set(key, { ...delta });
			else {
				row.ok += delta.ok;
				row.failed += delta.failed;
				row.durationMs += delta.durationMs;
			}
		}
		for (const delta of deltas.botGuilds) {
			const key = delta.guildId + SEP + delta.hour;
			const row = this.botGuilds.get(key);
			if (!row) this.botGuilds.set(key, { ...delta });
			else {
				row.joins += delta.joins;
				row.leaves += delta.leaves;
			}
		}
	}

	/** Forgets pending rows about a member (they just opted out). O(pending rows); rare. */
	public dropUser(userId: string): void {
		for (const [key, row] of this.messages) if (row.userId === userId) this.messages.delete(key);
		for (const [key, row] of this.voice) if (row.userId === userId) this.voice.delete(key);
		for (const [key, row] of this.reactions) {
			if (row.userId === userId) this.reactions.delete(key);
		}
	}

	/** Forgets pending rows of a guild (its data is being purged). */
	public dropGuild(guildId: string): void {
		for (const map of [this.messages, this.reactions, this.voice, this.membership, this.commands, this.botGuilds] as Map<string, { guildId: string }>[]) {
			for (const [key, row] of map) if (row.guildId === guildId) map.delete(key);
		}
	}
}

