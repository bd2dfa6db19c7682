import type { VoiceSegment } from './StatsAggregator.js';

/** A member's voice state as the listener sees it (before/after of VOICE_STATE_UPDATE). */
export interface VoiceStateSnapshot {
	/** null = not in a voice channel. */
	channelId: string | null;
	/** The voice channel's category, so an ignored category stops tracking too. */
	parentId?: string | null;
	/** Self- or server-muted (the listener decides). */
	muted: boolean;
	/** Self- or server-deafened. */
	deafened: boolean;
	/** Go Live / screen share. */
	streaming: boolean;
	bot?: boolean;
}

export interface SeedVoiceState extends VoiceStateSnapshot {
	userId: string;
}

export interface VoiceSessionTrackerOptions {
	/** Sessions shorter than this are ignored entirely (VOICE_MIN_SESSION_SECONDS, default 10). */
	minSessionSeconds: number;
	/** Receives every credited segment (the aggregator's recordVoice). */
	credit: (segment: VoiceSegment) => void;
	/** False for channels whose time must not be tracked (ignored channel/category, disabled guild). */
	trackable?: (guildId: string, channelId: string, parentId?: string | null) => boolean;
}

interface Session {
	guildId: string;
	userId: string;
	bot: boolean;
	channelId: string;
	parentId: string | null;
	muted: boolean;
	deafened: boolean;
	streaming: boolean;
	/** Epoch seconds. */
	startSec: number;
	segmentSec: number;
	/** Reached the minimum length (or was already running at startup): its time is credited as it passes. */
	qualified: boolean;
	/** The next credited segment carries the session count (observed joins only). */
	countPending: boolean;
	/** Segments held until the session qualifies (dropped if it never does). */
	pending: VoiceSegment[];
	/** Epoch seconds when the gateway connection carrying this guild was lost; null while connected. */
	suspendedSec: number | null;
}

const SEP = '\u0001';

/**
 * Voice sessions per member and guild. A session runs from joining a (tracked) voice channel to
 * leaving voice; moving between channels and mute/deafen/stream changes split it into segments
 * with one channel and one state each, so seconds land on the right channel and are also counted
 * as muted/deafened/streaming where they were.
 *
 * Exact semantics:
 * - Time is whole seconds (event times floored), so segment lengths telescope with no drift.
 * - A session shorter than `minSessionSeconds` (join -> leave) is ignored: nothing is credited and
 *   it is not counted. Until a session reaches the minimum its segments are held in memory; once
 *   it does, they are credited at once and later time is credited as it passes.
 * - `checkpoint(at)` (call it on every flush) credits the elapsed time of every qualified open
 *   session up to `at`, so a crash loses at most one flush interval, like every other counter.
 * - `closeAll(at)` (shutdown) ends every session at `at` and credits it (a session still under the
 *   minimum at shutdown counts if it reached the minimum by then, otherwise it is dropped).
 * - On start, `seedFromVoiceStates(guildId, states, at)` opens a session for everyone the gateway
 *   reports in voice, counting from `at` (startup). Such sessions were already running, so they
 *   are credited without the minimum and do not add to the session count. Time between shutdown
 *   (or crash/last checkpoint) and startup is not counted; time is never counted twice because
 *   credited time is always < the credit time, and a new process only counts from its own start.
 * - A state update for a member with no session whose `before` shows a channel (an update we
 *   missed the start of) is treated like a seeded session from that moment.
 * - Sessions in untracked channels (ignored, disabled guild) do not exist: moving into one ends
 *   the session, moving out of one starts a new session.
 * - Reconnects: `suspendGuilds(ids, at)` (the connection carrying them was lost) stops crediting
 *   their sessions past `at`. A resume replays the missed events and `resumeGuilds` lifts the
 *   suspension (the member stayed: the gap counts). After a re-identify the missed events are gone
 *   for good and each guild's fresh GUILD_CREATE goes to `reconcileGuild`: a session whose member
 *   is no longer in voice ends at the disconnect time; one whose member is in the same channel
 *   and state continues (the gap counts); one whose member is elsewhere now continues from now in
 *   the new channel (the gap is not credited); members in voice without a session are seeded.
 * Memory: one entry per member currently in voice; removed on leave.
 */
export class VoiceSessionTracker {
	private readonly sessions = new Map<string, Session>();
	private readonly minSeconds: number;
	private readonly credit: (segment: VoiceSegment) => void;
	private readonly trackable: (guildId: string, channelId: string, parentId?: string | null) => boolean;

	public constructor(options: VoiceSessionTrackerOptions) {
		this.minSeconds = Math.max(0, options.minSessionSeconds);
		this.credit = options.credit;
		this.trackable = options.trackable ?? (() => true);
	}

	/** Open sessions (members currently in voice). */
	public get size(): number {
		return this.sessions.size;
	}

	public onVoiceState(guildId: string, userId: string, before: VoiceStateSnapshot | null, after: VoiceStateSnapshot | null, at: number): void {
		const now = Math.floor(at / 1000);
		const key = guildId + SEP + userId;
		const session = this.sessions.get(key);
		const target = after && after.channelId && this.trackable(guildId, after.channelId, after.parentId) ? after : null;
		if (!session) {
			if (!target) return;
			const continued = Boolean(before?.channelId) && this.trackable(guildId, before!.channelId!, before!.parentId);
			this.open(guildId, userId, target, now, continued);
			return;
		}
		// An event for the session: the connection is back (a resume replays in order).
		session.suspendedSec = null;
		this.endSegment(session, now);
		if (!target) {
			this.finish(session, now);
			this.sessions.delete(key);
			return;
		}
		this.applyState(session, target);
	}

	private applyState(session: Session, target: VoiceStateSnapshot): void {
		session.channelId = target.channelId!;
		session.parentId = target.parentId ?? null;
		session.muted = target.muted;
		session.deafened = target.deafened;
		session.streaming = target.streaming;
		if (target.bot !== undefined) session.bot = target.bot;
	}

	/** At startup (READY/GUILD_CREATE): everyone already in voice, counting from `at`. */
	public seedFromVoiceStates(guildId: string, states: readonly SeedVoiceState[], at: number): void {
		const now = Math.floor(at / 1000);
		for (const state of states) {
			if (!state.channelId || !this.trackable(guildId, state.channelId, state.parentId)) continue;
			if (this.sessions.has(guildId + SEP + state.userId)) continue;
			this.open(guildId, state.userId, state, now, true);
		}
	}

	/**
	 * Matches the open sessions of a guild with the voice states of a GUILD_CREATE (start-up, after a
	 * re-identify, available again, statistics re-enabled, channel un-ignored): see the class comment.
	 */
	public reconcileGuild(guildId: string, states: readonly SeedVoiceState[], at: number): void {
		const now = Math.floor(at / 1000);
		const current = new Map<string, SeedVoiceState>();
		for (const state of states) {
			if (state.channelId && this.trackable(guildId, state.channelId, state.parentId)) current.set(state.userId, state);
		}
		for (const [key, session] of this.sessions) {
			if (session.guildId !== guildId) continue;
			const state = current.get(session.userId);
			current.delete(session.userId);
			const lostAt = creditableUntil(session, now);
			session.suspendedSec = null;
			if (!state) {
				this.endSegment(session, lostAt);
				this.finish(session, lostAt);
				this.sessions.delete(key);
			} else if (!sameState(session, state)) {
				this.endSegment(session, lostAt);
				// What happened between the disconnect and now is unknown: not credited.
				session.segmentSec = Math.max(session.segmentSec, now);
				this.applyState(session, state);
			}
		}
		for (const state of current.values()) this.open(guildId, state.userId, state, now, true);
	}

	/** The gateway connection carrying these guilds was lost at `at`: their sessions are not credited past it until heard of again. */
	public suspendGuilds(guildIds: ReadonlySet<string>, at: number): void {
		const now = Math.floor(at / 1000);
		for (const session of this.sessions.values()) {
			if (session.suspendedSec === null && guildIds.has(session.guildId)) session.suspendedSec = now;
		}
	}

	/** The connection resumed (missed events were replayed): the suspended sessions ran on through the gap. */
	public resumeGuilds(guildIds: ReadonlySet<string>): void {
		for (const session of this.sessions.values()) if (guildIds.has(session.guildId)) session.suspendedSec = null;
	}

	/** Credits elapsed time of open sessions up to `at` (call before each flush); a suspended session only up to its disconnect. */
	public checkpoint(at: number): void {
		const now = Math.floor(at / 1000);
		for (const session of this.sessions.values()) {
			const until = creditableUntil(session, now);
			if (session.qualified || until - session.startSec >= this.minSeconds) this.endSegment(session, until);
		}
	}

	/** Ends every session at `at` and credits it (shutdown). */
	public closeAll(at: number): void {
		const now = Math.floor(at / 1000);
		for (const session of this.sessions.values()) {
			const end = creditableUntil(session, now);
			this.endSegment(session, end);
			this.finish(session, end);
		}
		this.sessions.clear();
	}

	/** Ends and credits the sessions of one guild (the bot left it, or stats were disabled there). */
	public closeGuild(guildId: string, at: number): void {
		this.closeWhere((session) => session.guildId === guildId, at);
	}

	/** Ends and credits the sessions in a channel or in any channel of a category (it was just ignored). */
	public closeChannel(guildId: string, channelId: string, at: number): void {
		this.closeWhere((session) => session.guildId === guildId && (session.channelId === channelId || session.parentId === channelId), at);
	}

	private closeWhere(predicate: (session: Session) => boolean, at: number): void {
		const now = Math.floor(at / 1000);
		for (const [key, session] of this.sessions) {
			if (!predicate(session)) continue;
			const end = creditableUntil(session, now);
			this.endSegment(session, end);
			this.finish(session, end);
			this.sessions.delete(key);
		}
	}

	/** Forgets a member's sessions without crediting them (they opted out). */
	public dropUser(userId: string): void {
		for (const [key, session] of this.sessions) if (session.userId === userId) this.sessions.delete(key);
	}

	/** Forgets a guild's sessions without crediting them (its data is being purged). */
	public dropGuild(guildId: string): void {
		for (const [key, session] of this.sessions) if (session.guildId === guildId) this.sessions.delete(key);
	}

	private open(guildId: string, userId: string, state: VoiceStateSnapshot, now: number, continued: boolean): void {
		this.sessions.set(guildId + SEP + userId, {
			guildId,
			userId,
			bot: state.bot ?? false,
			channelId: state.channelId!,
			parentId: state.parentId ?? null,
			muted: state.muted,
			deafened: state.deafened,
			streaming: state.streaming,
			startSec: now,
			segmentSec: now,
			qualified: continued || this.minSeconds === 0,
			countPending: !continued,
			pending: [],
			suspendedSec: null
		});
	}

	/** Closes the current segment at `now` and starts the next one there (same channel and state until changed). */
	private endSegment(session: Session, now: number): void {
		const end = Math.max(now, session.segmentSec);
		if (end > session.segmentSec) {
			const segment: VoiceSegment = {
				guildId: session.guildId,
				channelId: session.channelId,
				userId: session.userId,
				bot: session.bot,
				fromSec: session.segmentSec,
				toSec: end,
				muted: session.muted,
				deafened: session.deafened,
				streaming: session.streaming,
				sessionStart: false
			};
			if (session.qualified) this.emit(session, segment);
			else session.pending.push(segment);
			session.segmentSec = end;
		}
		if (!session.qualified && end - session.startSec >= this.minSeconds) this.qualify(session);
	}

	private qualify(session: Session): void {
		session.qualified = true;
		const pending = session.pending;
		session.pending = [];
		for (const segment of pending) this.emit(session, segment);
	}

	private finish(session: Session, now: number): void {
		if (!session.qualified) {
			if (Math.max(now, session.segmentSec) - session.startSec >= this.minSeconds) this.qualify(session);
			else session.pending = [];
		}
		if (session.qualified && session.countPending) {
			// A qualifying session with no elapsed seconds (minimum 0): still one session.
			this.emit(session, {
				guildId: session.guildId,
				channelId: session.channelId,
				userId: session.userId,
				bot: session.bot,
				fromSec: session.startSec,
				toSec: session.startSec,
				muted: session.muted,
				deafened: session.deafened,
				streaming: session.streaming,
				sessionStart: false
			});
		}
	}

	private emit(session: Session, segment: VoiceSegment): void {
		if (session.countPending) {
			segment.sessionStart = true;
			session.countPending = false;
		}
		this.credit(segment);
	}
}

function sameState(session: Session, state: VoiceStateSnapshot): boolean {
	return session.channelId === state.channelId && session.muted === state.muted && session.deafened === state.deafened && session.streaming === state.streaming;
}

/** A suspended session (connection lost) is known to have run only until the disconnect. */
function creditableUntil(session: Session, now: number): number {
	return session.suspendedSec === null ? now : Math.min(now, session.suspendedSec);
}
