import type { Service } from '#lib/ServiceRegistry.js';
import { MessageAuthorIndex } from './MessageAuthorIndex.js';
import { PrivacyRegistry } from './PrivacyRegistry.js';
import type { RecoveryJournal } from './RecoveryJournal.js';
import type { RollupOptions, RollupResult } from './hourlyRollup.js';
import { StatsAggregator, type CommandEvent, type MemberEvent, type MessageEvent, type ReactionEvent } from './StatsAggregator.js';
import type { ApplyResult, StatsStore } from './StatsStore.js';
import { deltaRowCount } from './statsTypes.js';
import type { IgnoredKind, OptOutMode, PruneResult, StatsDeltas } from './statsTypes.js';
import { VoiceSessionTracker, type SeedVoiceState, type VoiceStateSnapshot } from './VoiceSessionTracker.js';

export interface StatsServiceOptions {
	store: StatsStore;
	/** VOICE_MIN_SESSION_SECONDS */
	voiceMinSeconds: number;
	now?: () => number;
	/**
	 * STATS_FLUSH_INTERVAL_MS: when set, start() runs a local (per-process) flush timer. The flush
	 * drains THIS process's memory, so it must not be a fleet-wide scheduled task (BullMQ runs a
	 * shared repeatable on one process only).
	 */
	flushIntervalMs?: number;
	/** Reload privacy lists on flush at most this often, to pick up other shards' changes (default 60 s; 0 = never). */
	privacyRefreshMs?: number;
	/** Called with errors of timer-driven flushes (they are also counted in metrics()). */
	onError?: (error: unknown) => void;
	/** Who is in voice in a guild now (the gateway's cache): capture resumed there counts them from then. */
	voiceStatesOf?: (guildId: string) => readonly SeedVoiceState[];
	/**
	 * Where counters go that the store cannot take (a failed flush, the final flush at shutdown);
	 * replayed at start and after each successful flush. Without it a failed flush keeps its deltas
	 * in memory only.
	 */
	journal?: RecoveryJournal;
	/** Shutdown: stops the event sources (closes the gateway) before the final flush, so no event arrives after it. */
	stopCapture?: () => Promise<void>;
	log?: { info(message: string): void; warn(message: string): void };
}

/** Capture events take `at` (epoch ms, e.g. message.createdTimestamp); it defaults to the service clock. */
export type WithOptionalTime<T extends { at: number }> = Omit<T, 'at'> & { at?: number };

/** Extra ids the capture path needs for ignore checks. */
export interface ChannelContext {
	/** The channel's category (for a thread: its parent channel's category). */
	categoryId?: string | null;
}

export interface FlushResult {
	/** Dirty delta rows drained and written. */
	rows: number;
	ms: number;
	/** Table rows upserted (derived tables and both granularities included). */
	written: number;
	statements: number;
	guildIds: string[];
	/** Guilds whose data version advanced: those with rows a report draws (see reportedGuilds). */
	versionedGuildIds: string[];
}

export interface FlushInfo extends FlushResult {
	at: number;
}

export interface StatsMetrics {
	flushes: number;
	failures: number;
	lastFlushAt: number | null;
	lastFlushMs: number;
	lastFlushRows: number;
	lastError: string | null;
	/** Dirty rows waiting in memory. */
	pendingRows: number;
	pendingEvents: number;
	openVoiceSessions: number;
	optedOutUsers: number;
}

/**
 * `container.stats`: capture (sync, O(1), no I/O: privacy checks then in-memory counters),
 * flushing (dirty rows only, one transaction; on failure the deltas go back and the error is
 * rethrown), privacy controls and the data versions of reports. Reads and settings without
 * side effects here go to the store: `stats.store.reports` (/guildstats queries),
 * `stats.store.summaries` (analytics, daily summary), `stats.store.meta`, `stats.store.getGuildSettings`.
 *
 * Freshness: reports read the store only. Each guild has a data version that advances whenever a
 * flush wrote rows for it (or its data changed through privacy/purge/timezone), so a cache keyed
 * on it never serves an image older than the data; data recorded since the last flush appears
 * after the next one (call `flush()` first where up-to-the-second figures matter).
 */
export class StatsService implements Service {
	public readonly name = 'stats';
	public readonly store: StatsStore;
	public readonly aggregator = new StatsAggregator();
	public readonly voice: VoiceSessionTracker;
	public readonly privacy: PrivacyRegistry;
	public readonly messageAuthors = new MessageAuthorIndex();

	private readonly now: () => number;
	private readonly flushIntervalMs: number | undefined;
	private readonly privacyRefreshMs: number;
	private readonly onError: ((error: unknown) => void) | undefined;
	private readonly voiceStatesOf: (guildId: string) => readonly SeedVoiceState[];
	private readonly versions = new Map<string, number>();
	/** Added to every guild's data version: outdateReports() with no guild moves them all at once. */
	private versionEpoch = 0;
	private readonly listeners = new Set<(info: FlushInfo) => void>();
	private flushChain: Promise<unknown> = Promise.resolve();
	private timer: NodeJS.Timeout | null = null;
	private lastPrivacyLoad = 0;
	private stopped = false;
	private failuresInRow = 0;
	private retryAt = 0;
	private readonly journal: RecoveryJournal | undefined;
	private readonly stopCapture: (() => Promise<void>) | undefined;
	private readonly log: { info(message: string): void; warn(message: string): void } | undefined;
	private stats = { flushes: 0, failures: 0, lastFlushAt: null as number | null, lastFlushMs: 0, lastFlushRows: 0, lastError: null as string | null };

	public constructor(options: StatsServiceOptions) {
		this.store = options.store;
		this.now = options.now ?? Date.now;
		this.flushIntervalMs = options.flushIntervalMs;
		this.privacyRefreshMs = options.privacyRefreshMs ?? 60_000;
		this.onError = options.onError;
		this.voiceStatesOf = options.voiceStatesOf ?? (() => []);
		this.journal = options.journal;
		this.stopCapture = options.stopCapture;
		this.log = options.log;
		this.privacy = new PrivacyRegistry(options.store);
		this.voice = new VoiceSessionTracker({
			minSessionSeconds: options.voiceMinSeconds,
			credit: (segment) => this.aggregator.recordVoice(segment),
			trackable: (guildId, channelId, parentId) => !this.privacy.isGuildDisabled(guildId) && !this.privacy.isChannelIgnored(guildId, channelId, parentId)
		});
	}

	public async start(): Promise<void> {
		await this.privacy.load();
		this.lastPrivacyLoad = this.now();
		// What the last run could not write (database down at its shutdown or during an outage).
		await this.replayJournal().catch((error) => this.onError?.(error));
		if (this.flushIntervalMs && !this.timer) {
			const interval = this.flushIntervalMs;
			this.timer = setInterval(() => {
				if (this.now() < this.retryAt) return;
				this.flush().then(
					() => (this.failuresInRow = 0),
					(error) => {
						// Back off while the store is away (each attempt may block, e.g. SQLite's busy_timeout), but
						// not beyond max(interval, 10 s): memory holds at most that much, the rest is journaled.
						this.failuresInRow += 1;
						this.retryAt = this.now() + Math.min(interval * 2 ** (this.failuresInRow - 1), Math.max(interval, 10_000));
						this.onError?.(error);
					}
				);
			}, interval);
			this.timer.unref();
		}
	}

	/**
	 * Shutdown: stop capture (the gateway closes first, so nothing arrives after the final flush),
	 * close voice sessions (credited up to now), flush everything; what the store cannot take goes to
	 * the recovery journal (the next start replays it). Then close the store.
	 */
	public async stop(signal?: AbortSignal): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		// At the deadline the process exits soon after: journal what is still in memory, synchronously.
		const onAbort = () => this.journalPending('the shutdown deadline passed');
		if (signal?.aborted) {
			// Reached after the deadline: no time for a flush, only for the disk.
			this.voice.closeAll(this.now());
			onAbort();
			void this.store.close().catch(() => undefined);
			return;
		}
		signal?.addEventListener('abort', onAbort, { once: true });
		try {
			if (this.stopCapture) {
				await Promise.race([this.stopCapture().catch((error) => this.log?.warn(`Stopping capture failed: ${String(error)}`)), abortOf(signal)]);
			}
			this.voice.closeAll(this.now());
			try {
				await this.flush();
			} catch (error) {
				if (!this.journal) throw error;
				this.log?.warn(`Final statistics flush failed (${String((error as Error)?.message ?? error)}); writing the counters to the recovery journal.`);
			}
			// Whatever is still in memory (a failed flush, or events that raced the flush).
			this.journalPending('the final flush could not write it');
		} finally {
			signal?.removeEventListener('abort', onAbort);
			await this.store.close();
		}
	}

	/** Memory -> recovery journal (no-op without a journal or when nothing is pending). */
	private journalPending(reason: string): void {
		if (!this.journal || this.aggregator.size === 0) return;
		const deltas = this.aggregator.drain();
		try {
			const id = this.journal.write(deltas);
			this.log?.warn(`Statistics: ${deltaRowCount(deltas)} counter row(s) written to the recovery journal (${reason}); batch ${id}, applied at the next successful flush or start.`);
		} catch (error) {
			this.aggregator.restore(deltas);
			this.log?.warn(`Statistics: writing the recovery journal failed (${String((error as Error)?.message ?? error)}); the counters stay in memory.`);
		}
	}

	/**
	 * Applies the journal's batches, oldest first, each exactly once (the store records its id in
	 * the same transaction). Stops at the first failure (the database is still away); returns the
	 * number of batches applied.
	 */
	private async replayJournal(): Promise<number> {
		if (!this.journal) return 0;
		let applied = 0;
		for (const file of this.journal.pendingFiles()) {
			let batch;
			try {
				batch = this.journal.read(file);
			} catch (error) {
				this.log?.warn(String((error as Error).message));
				continue;
			}
			const result = await this.store.applyDeltas(batch.deltas, this.now(), { once: batch.id });
			this.journal.remove(batch);
			for (const guildId of result.guildIds) if (reportedGuilds(batch.deltas).has(guildId)) this.bump(guildId);
			applied += 1;
			this.log?.info(`Statistics: recovered batch ${batch.id} (${deltaRowCount(batch.deltas)} row(s) from ${new Date(batch.at).toISOString()}) applied.`);
		}
		return applied;
	}

	/*
	 * Capture. Each call returns at once; nothing here awaits or touches the database.
	 */

	public recordMessage(event: WithOptionalTime<MessageEvent> & ChannelContext): void {
		const privacy = this.privacy;
		if (privacy.isGuildDisabled(event.guildId) || privacy.isOptedOut(event.userId)) return;
		if (privacy.isChannelIgnored(event.guildId, event.channelId, event.parentChannelId, event.categoryId)) return;
		this.aggregator.recordMessage(this.timed(event));
	}

	/** A reaction added (delta 1) or removed (-1); "received" goes to `authorId` when known. */
	public recordReaction(event: WithOptionalTime<ReactionEvent> & ChannelContext): void {
		// REMOVE dispatches do not name the message's author; ADD does, so remember it for later.
		if (event.messageId) {
			if (event.authorId) this.messageAuthors.remember(event.messageId, event.authorId);
			else event = { ...event, authorId: this.messageAuthors.authorOf(event.messageId) ?? null };
		}
		const privacy = this.privacy;
		if (privacy.isGuildDisabled(event.guildId)) return;
		if (privacy.isChannelIgnored(event.guildId, event.channelId, event.parentChannelId, event.categoryId)) return;
		const given = !privacy.isOptedOut(event.userId);
		const received = Boolean(event.authorId) && !privacy.isOptedOut(event.authorId!);
		if (!given && !received) return;
		this.aggregator.recordReaction(this.timed(event), { given: !given, received: !received });
	}

	/** VOICE_STATE_UPDATE: `before`/`after` null when not in voice. `at` defaults to now. */
	public onVoiceState(guildId: string, userId: string, before: VoiceStateSnapshot | null, after: VoiceStateSnapshot | null, at: number = this.now()): void {
		if (this.privacy.isOptedOut(userId)) return;
		this.voice.onVoiceState(guildId, userId, before, after, at);
	}

	/** At startup / GUILD_CREATE: members already in voice (counted from `at`, default now). */
	public seedVoiceStates(guildId: string, states: readonly SeedVoiceState[], at: number = this.now()): void {
		this.voice.seedFromVoiceStates(
			guildId,
			states.filter((state) => !this.privacy.isOptedOut(state.userId)),
			at
		);
	}

	/** A guild's GUILD_CREATE (start-up, re-identify, available again) or capture re-enabled there: open sessions follow its voice states. */
	public reconcileVoiceStates(guildId: string, states: readonly SeedVoiceState[], at: number = this.now()): void {
		this.voice.reconcileGuild(
			guildId,
			states.filter((state) => !this.privacy.isOptedOut(state.userId)),
			at
		);
	}

	public recordMemberJoin(event: WithOptionalTime<MemberEvent>): void {
		if (this.privacy.isGuildDisabled(event.guildId) || this.privacy.isOptedOut(event.userId)) return;
		this.aggregator.recordMemberJoin(this.timed(event));
	}

	public recordMemberLeave(event: WithOptionalTime<MemberEvent>): void {
		if (this.privacy.isGuildDisabled(event.guildId) || this.privacy.isOptedOut(event.userId)) return;
		this.aggregator.recordMemberLeave(this.timed(event));
	}

	/** The bot joined a guild (call `cancelGuildDeletion` too, in case it is a rejoin). */
	public recordGuildJoin(guildId: string, at: number = this.now()): void {
		this.aggregator.recordGuildJoin({ guildId, at });
	}

	/** The bot left a guild: its voice sessions end here (call `scheduleGuildDeletion` too). */
	public recordGuildLeave(guildId: string, at: number = this.now()): void {
		this.voice.closeGuild(guildId, at);
		this.aggregator.recordGuildLeave({ guildId, at });
	}

	public recordCommand(event: WithOptionalTime<CommandEvent>): void {
		if (event.guildId && this.privacy.isGuildDisabled(event.guildId)) return;
		this.aggregator.recordCommand(this.timed(event));
	}

	private timed<T extends { at?: number }>(event: T): T & { at: number } {
		return event.at === undefined ? { ...event, at: this.now() } : (event as T & { at: number });
	}

	/*
	 * Flushing.
	 */

	/**
	 * Writes every dirty row in one transaction. Flushes never overlap: a call made while one runs
	 * waits and then flushes what accumulated meanwhile. On failure the deltas go back into memory
	 * (merged with newer ones), the failure is counted, and the error is rethrown.
	 */
	public flush(): Promise<FlushResult> {
		const run = this.flushChain.then(() => this.flushOnce());
		this.flushChain = run.catch(() => undefined);
		return run;
	}

	private async flushOnce(): Promise<FlushResult> {
		const began = performance.now();
		const now = this.now();
		if (this.privacyRefreshMs > 0 && now - this.lastPrivacyLoad >= this.privacyRefreshMs) {
			this.lastPrivacyLoad = now;
			await this.privacy.load().catch(() => false);
		}
		this.voice.checkpoint(now);
		const deltas = this.aggregator.drain();
		const rows = deltaRowCount(deltas);
		let result: ApplyResult;
		try {
			result = await this.store.applyDeltas(deltas, now);
		} catch (error) {
			this.aggregator.restore(deltas);
			this.stats.failures += 1;
			this.stats.lastError = String((error as Error)?.message ?? error);
			// The database is away: move the counters to disk, so memory stays at one flush interval's
			// worth however long the outage lasts, and a crash meanwhile loses at most that interval.
			if (!this.stopped) this.journalPending('the store is unavailable');
			throw error;
		}
		// The store is back: what earlier failed flushes journaled goes in now (merged into the same rows).
		if (this.journal?.hasPending) await this.replayJournal().catch((error) => this.onError?.(error));
		const ms = performance.now() - began;
		const shown = reportedGuilds(deltas);
		const versionedGuildIds = result.guildIds.filter((guildId) => shown.has(guildId));
		for (const guildId of versionedGuildIds) this.bump(guildId);
		this.stats.flushes += 1;
		this.stats.lastFlushAt = now;
		this.stats.lastFlushMs = ms;
		this.stats.lastFlushRows = rows;
		this.stats.lastError = null;
		const flushed: FlushResult = { rows, ms, written: result.writtenRows, statements: result.statements, guildIds: result.guildIds, versionedGuildIds };
		if (rows > 0) {
			for (const listener of this.listeners) {
				try {
					listener({ ...flushed, at: now });
				} catch {
					// A listener's bug must not fail the flush that already committed.
				}
			}
		}
		return flushed;
	}

	/**
	 * Advances whenever new data for the guild that a report draws was written (the chart cache keys
	 * on it). Command runs and the bot's own guild joins are not drawn, so they leave it alone: a
	 * /guildstats run would otherwise outdate its own cached image at the next flush.
	 */
	public dataVersion(guildId: string): number {
		return this.versionEpoch + (this.versions.get(guildId) ?? 0);
	}

	/**
	 * Another process changed what reports show (a member opted out or in: every guild; a purge: the
	 * given ones): this process's cached reports of those guilds are outdated at once.
	 */
	public outdateReports(guildIds?: readonly string[]): void {
		if (!guildIds) this.versionEpoch += 1;
		else for (const guildId of guildIds) this.bump(guildId);
	}

	/** Called after every flush that wrote rows; returns an unsubscribe function. */
	public onFlush(listener: (info: FlushInfo) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	public metrics(): StatsMetrics {
		return {
			...this.stats,
			pendingRows: this.aggregator.size,
			pendingEvents: this.aggregator.pendingEvents,
			openVoiceSessions: this.voice.size,
			optedOutUsers: this.privacy.optOutCount
		};
	}

	private bump(guildId: string): void {
		this.versions.set(guildId, (this.versions.get(guildId) ?? 0) + 1);
	}

	/*
	 * Privacy and settings.
	 */

	/**
	 * `/guildstats ignoreme`: capture of the member stops at once (pending counters and open voice
	 * sessions are dropped); `hide` excludes them from every report and aggregate (rows kept),
	 * `delete` also deletes every stored row about them in every guild.
	 */
	public async optOut(userId: string, mode: OptOutMode): Promise<void> {
		this.aggregator.dropUser(userId);
		this.voice.dropUser(userId);
		// 'delete' removes stored rows: not before a flush in flight that still holds some of theirs.
		const guilds = await this.afterInFlightFlush(() => {
			this.aggregator.dropUser(userId);
			return this.privacy.setOptOut(userId, mode, this.now());
		});
		for (const guildId of guilds) this.bump(guildId);
	}

	/** Opt back in: capture resumes; a hidden member's kept rows count again. */
	public async optIn(userId: string): Promise<void> {
		const guilds = await this.privacy.setOptOut(userId, null, this.now());
		for (const guildId of guilds) this.bump(guildId);
	}

	public getOptOut(userId: string): OptOutMode | null {
		return this.privacy.optOutMode(userId);
	}

	/** Stops capturing a channel, or every channel of a category (`kind = 'category'`). Stored data is kept. */
	public async ignoreChannel(guildId: string, channelId: string, kind: IgnoredKind = 'channel'): Promise<void> {
		await this.privacy.setChannelIgnored(guildId, channelId, kind, this.now());
		this.voice.closeChannel(guildId, channelId, this.now());
	}

	public async unignoreChannel(guildId: string, channelId: string): Promise<void> {
		await this.privacy.setChannelIgnored(guildId, channelId, null, this.now());
		// Members already sitting in the channel count from now, not from their next voice event.
		this.reconcileVoiceStates(guildId, this.voiceStatesOf(guildId));
	}

	/** Enables/disables capture for a guild (stored data is kept; purgeGuild deletes it). */
	public async setGuildEnabled(guildId: string, enabled: boolean): Promise<void> {
		await this.privacy.setGuildDisabled(guildId, !enabled, this.now());
		if (!enabled) this.voice.closeGuild(guildId, this.now());
		else this.reconcileVoiceStates(guildId, this.voiceStatesOf(guildId));
	}

	public isGuildEnabled(guildId: string): boolean {
		return !this.privacy.isGuildDisabled(guildId);
	}

	/** Deletes every statistic of the guild now (settings are kept). */
	public async purgeGuild(guildId: string): Promise<void> {
		this.aggregator.dropGuild(guildId);
		this.voice.dropGuild(guildId);
		await this.afterInFlightFlush(async () => {
			this.aggregator.dropGuild(guildId);
			// Journaled counters go in first, so the purge deletes them too instead of them coming back later.
			await this.replayJournal();
			await this.store.purgeGuild(guildId);
		});
		this.bump(guildId);
	}

	/**
	 * Runs a deletion on the flush chain: a flush in flight holds deltas drained before the deletion,
	 * which would otherwise be written after it. `run` drops whatever reached memory meanwhile.
	 */
	private afterInFlightFlush<T>(run: () => Promise<T>): Promise<T> {
		const queued = this.flushChain.then(run);
		this.flushChain = queued.catch(() => undefined);
		return queued;
	}

	/** Validates and stores the guild's IANA timezone; returns its canonical name. Throws RangeError on an unknown zone. */
	public async setGuildTimezone(guildId: string, timeZone: string): Promise<string> {
		const zone = await this.store.setGuildTimezone(guildId, timeZone);
		this.bump(guildId);
		return zone;
	}

	/** Retention (a fleet-wide task may call this: it is idempotent). */
	public async prune(options: { hourlyDays: number; dailyDays: number; stillIn?: (guildId: string) => Promise<boolean> }): Promise<PruneResult> {
		const result = await this.store.prune({ ...options, now: this.now() });
		for (const guildId of result.guildsPurged) {
			this.privacy.forgetGuild(guildId);
			this.versions.delete(guildId);
		}
		return result;
	}

	/** Per-member hourly rollup, run with retention (idempotent, fleet-safe; see hourlyRollup.ts). */
	public rollupMemberHourly(options: RollupOptions): Promise<RollupResult> {
		return this.store.rollupMemberHourly({ ...options, now: options.now ?? this.now() });
	}
}

const abortOf = (signal: AbortSignal | undefined): Promise<void> =>
	new Promise((resolve) => {
		if (!signal) return;
		if (signal.aborted) resolve();
		else signal.addEventListener('abort', () => resolve(), { once: true });
	});

/** Guilds with message, reaction, voice or membership rows: what /guildstats reports show. */
function reportedGuilds(deltas: StatsDeltas): Set<string> {
	const guilds = new Set<string>();
	for (const list of [deltas.messages, deltas.reactions, deltas.voice, deltas.membership]) for (const delta of list) guilds.add(delta.guildId);
	return guilds;
}
