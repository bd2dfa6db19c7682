import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { REST, RateLimitData } from 'discord.js';
import type { ReportChannelName } from '#root/config.js';
import type { Service } from '#lib/ServiceRegistry.js';
import { ChannelBatcher, type ChannelBatcherOptions, type EventSource, type PackedMessage } from './ChannelBatcher.js';
import type { SendFailure } from './classifySendError.js';
import { DiskSpool, type DiskSpoolStats } from './DiskSpool.js';
import { EventFormatter, type PlainEvent } from './EventFormatter.js';
import { EventQueue } from './EventQueue.js';
import type { MessageBody } from './messageLimits.js';
import { Redactor } from './Redactor.js';
import type { ReportEvent, ReportEventInput, Severity } from './ReportEvent.js';
import { ReportSender, type SendResult } from './ReportSender.js';
import { SlidingWindowRateLimiter, type SendRateLimiter } from './SendRateLimiter.js';

/** Every line the reporter writes to stderr starts with this, so log pipelines can skip them (no loops). */
export const REPORTER_LOG_PREFIX = '[nexus-reporter]';

const CHANNEL_NAMES: readonly ReportChannelName[] = ['diagnostics', 'logs', 'analytics', 'performance'];

export interface ReporterOptions {
	rest: REST;
	channels: Record<ReportChannelName, string>;
	/** REPORT_FLUSH_INTERVAL_MS: how long INFO/WARNING events may wait for company. */
	flushIntervalMs: number;
	/** REPORT_ANALYTICS_INTERVAL_MS: the same for the analytics channel. */
	analyticsIntervalMs: number;
	spoolDir: string;
	/** REPORT_SPOOL_MAX_BYTES, shared evenly by the four channel spools. */
	spoolMaxBytes: number;
	/** REPORT_CHANNEL_RETRY_MS: how often an unknown/forbidden channel is tried again. */
	channelRetryMs: number;
	secrets: string[];
	now?: () => number;
	/** The local fallback; defaults to process.stderr. Must not feed back into the reporter. */
	stderr?: (line: string) => void;
	/** Per-channel pacing; defaults to 5 sends per 5 s with one slot kept for critical events. */
	limiter?: SendRateLimiter;
	/**
	 * How often a channel with work it cannot do yet is checked again (pacing slot free, backoff
	 * over, spool backlog). Default 100 ms. A channel with nothing queued sets no timer at all, and
	 * INFO/WARNING events waiting for company wake the reporter once, when their interval is up.
	 */
	tickMs?: number;
	/** Bound of one send. Default 15 s. */
	sendTimeoutMs?: number;
	/** Bound of a /nexus test_reporting send. Default 5 s. */
	testTimeoutMs?: number;
	/** Replay backoff after a failed send: doubles from min to max. Default 1 s .. 60 s. */
	backoffMinMs?: number;
	backoffMaxMs?: number;
	/** Events held in memory per channel before the oldest are dropped (counted). Default 200,000. */
	maxQueuedEvents?: number;
	/** Most time stop() spends sending before it spools the rest. Default 5 s. */
	stopBudgetMs?: number;
	batcher?: ChannelBatcherOptions;
	/**
	 * Outages as incidents (IncidentTracker): Discord unreachable or failing beyond retries is
	 * 'discord-rest' (recovered by the next send Discord answers), an unknown/forbidden channel is
	 * 'report-channel:<name>' (recovered by its next successful send). Without it, an unavailable
	 * channel is reported once on Diagnostics and its recovery once.
	 */
	incidents?: ReporterIncidents;
}

export interface ReporterIncidents {
	failure(dependency: string, error?: unknown): void;
	down(dependency: string, error?: unknown): void;
	recovered(dependency: string): void;
}

export interface ChannelTestResult {
	channel: ReportChannelName;
	channelId: string;
	ok: boolean;
	ms?: number;
	reason?: string;
}

export interface ReporterChannelSnapshot {
	channel: ReportChannelName;
	channelId: string;
	available: boolean;
	unavailableReason?: string;
	/** Events waiting in memory (urgent included). */
	queued: number;
	urgentQueued: number;
	/** True while a spool backlog is being replayed (new events queue behind it). */
	backlog: boolean;
	sentMessages: number;
	sentEvents: number;
	failures: Record<SendFailure, number>;
	/** Events dropped: spool full, memory queue overflow, or rejected by Discord. */
	droppedEvents: number;
	rejectedEvents: number;
	/** Events written to stderr because the channel is unavailable. */
	fallbackEvents: number;
	spool: Omit<DiskSpoolStats, 'dropped'>;
	lastSendMs?: number;
	lastSendAt?: string;
	/** ms until the next replay attempt (backlog) or channel retry (unavailable). */
	nextAttemptInMs?: number;
}

export interface ReporterSnapshot {
	/** Highest seq assigned so far. */
	seq: number;
	enqueued: number;
	enqueueErrors: number;
	internalErrors: number;
	/** Waits discord.js made for rate limits (pre-emptive from headers, or after a 429). */
	rateLimitWaits: number;
	channels: Record<ReportChannelName, ReporterChannelSnapshot>;
}

/** What enqueue stores: the caller's input as is; formatting and redaction happen when sending. */
interface Pending {
	seq: number;
	input: ReportEventInput;
	at: number;
	event?: ReportEvent;
}

interface ChannelState {
	name: ReportChannelName;
	id: string;
	label: string;
	intervalMs: number;
	urgent: EventQueue<Pending>;
	normal: EventQueue<Pending>;
	/** Rough size of the normal queue in dense lines (a WARNING embed counts as 5). */
	weight: number;
	spool: DiskSpool;
	busy: boolean;
	scheduled: boolean;
	lastFlushAt: number;
	lastSpoolAt: number;
	backoffMs: number;
	nextAttemptAt: number;
	available: boolean;
	unavailableReason?: string;
	/** The unavailability was reported; the next successful send reports the recovery. */
	reportedUnavailable: boolean;
	retryAt: number;
	inFlight?: { events: ReportEvent[]; fromSpool: boolean; spooled: boolean };
	stats: {
		sentMessages: number;
		sentEvents: number;
		failures: Record<SendFailure, number>;
		droppedEvents: number;
		rejectedEvents: number;
		fallbackEvents: number;
		lastSendMs?: number;
		lastSendAt?: number;
	};
}

/** Lines of weight that make a full message: flush at once instead of waiting for the interval. */
const FULL_WEIGHT = 45;
/** setTimeout's own limit (2^31 - 1 ms); a longer delay would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;
const SPOOL_EVERY_MS = 250;
/**
 * Longest single sleep while events wait for their flush interval, with an injected clock (tests
 * advance it without timers firing, so a sleep must end soon to notice). On the real clock the
 * reporter sleeps until the batch is due: an idle bot with one event waiting for the 15-minute
 * Analytics window is woken once, not 900 times.
 */
const MAX_SLEEP_INJECTED_CLOCK_MS = 1000;
const URGENT_DIGEST_THRESHOLD = 21;
/** How long /nexus test_reporting waits for our own per-channel pacing before answering "rate limited". */
const TEST_PACING_WAIT_MS = 2500;
const SEQ_FILE = 'seq.json';

/**
 * Reports to the four Discord channels (diagnostics, logs, analytics, performance) without
 * ever blocking or failing the caller, without breaking Discord limits, and without losing events:
 *
 * - `enqueue` is synchronous and O(1): it stamps a seq and queues the caller's object.
 * - Per channel, INFO/WARNING events wait up to the flush interval (or until a message is full)
 *   and are packed by ChannelBatcher; CRITICAL events skip the wait and the INFO queue.
 * - Sends are paced per channel (SendRateLimiter) under Discord's 5 per 5 s, through discord.js
 *   REST (Retry-After, buckets), always with `allowed_mentions: { parse: [] }`.
 * - A batch that fails (outage, 5xx, timeout) goes to the channel's DiskSpool and to stderr;
 *   while the spool holds anything, new events go behind it, and it is replayed in order with
 *   exponential backoff, also after a restart. An unknown/forbidden channel is reported once
 *   (as an incident when `incidents` is given), its events go to stderr, and it is retried every
 *   `channelRetryMs`.
 * - `stop()` flushes within its budget and spools whatever could not be sent.
 */
export class Reporter implements Service {
	public readonly name = 'reporter';
	private readonly now: () => number;
	private readonly stderr: (line: string) => void;
	private readonly redactor: Redactor;
	private readonly formatter: EventFormatter;
	private readonly batcher: ChannelBatcher;
	private readonly sender: ReportSender;
	private readonly limiter: SendRateLimiter;
	private readonly states: Record<ReportChannelName, ChannelState>;
	private readonly list: ChannelState[];
	private readonly rest: REST;
	private readonly spoolDir: string;
	private readonly incidents?: ReporterIncidents;
	private readonly maxSleepMs: number;
	private readonly options: Required<Pick<ReporterOptions, 'tickMs' | 'testTimeoutMs' | 'backoffMinMs' | 'backoffMaxMs' | 'maxQueuedEvents' | 'stopBudgetMs' | 'channelRetryMs'>>;
	private nextSeq: number;
	private persistedSeq: number;
	private started = false;
	private stopping = false;
	private stopped = false;
	private wakeTimer?: NodeJS.Timeout;
	/** When wakeTimer fires (Infinity: no timer). */
	private wakeAt = Number.POSITIVE_INFINITY;
	private readonly abortSends = new AbortController();
	private readonly counters = { enqueued: 0, enqueueErrors: 0, internalErrors: 0, rateLimitWaits: 0 };
	private readonly onRateLimited = (_info: RateLimitData) => void this.counters.rateLimitWaits++;
	/** deliver() callers waiting for their event to be sent or spooled, by seq. */
	private readonly deliveries = new Map<number, { resolve: (outcome: 'sent' | 'spooled') => void; reject: (error: Error) => void }>();

	public constructor(options: ReporterOptions) {
		this.now = options.now ?? Date.now;
		this.maxSleepMs = options.now ? MAX_SLEEP_INJECTED_CLOCK_MS : MAX_TIMER_MS;
		this.stderr = options.stderr ?? ((line) => void process.stderr.write(`${line}\n`));
		this.redactor = new Redactor(options.secrets);
		this.formatter = new EventFormatter(this.redactor);
		this.batcher = new ChannelBatcher(this.formatter, options.batcher);
		this.rest = options.rest;
		this.sender = new ReportSender(options.rest, { timeoutMs: options.sendTimeoutMs });
		this.limiter = options.limiter ?? new SlidingWindowRateLimiter();
		this.spoolDir = options.spoolDir;
		this.incidents = options.incidents;
		this.options = {
			tickMs: options.tickMs ?? 100,
			testTimeoutMs: options.testTimeoutMs ?? 5000,
			backoffMinMs: options.backoffMinMs ?? 1000,
			backoffMaxMs: options.backoffMaxMs ?? 60_000,
			maxQueuedEvents: options.maxQueuedEvents ?? 200_000,
			stopBudgetMs: options.stopBudgetMs ?? 5000,
			channelRetryMs: options.channelRetryMs
		};
		mkdirSync(this.spoolDir, { recursive: true });
		const now = this.now();
		const spoolBytes = Math.max(4096, Math.floor(options.spoolMaxBytes / CHANNEL_NAMES.length));
		const state = (name: ReportChannelName): ChannelState => ({
			name,
			id: options.channels[name],
			label: name.charAt(0).toUpperCase() + name.slice(1),
			intervalMs: name === 'analytics' ? options.analyticsIntervalMs : options.flushIntervalMs,
			urgent: new EventQueue(),
			normal: new EventQueue(),
			weight: 0,
			spool: new DiskSpool({ dir: join(this.spoolDir, name), maxBytes: spoolBytes }),
			busy: false,
			scheduled: false,
			lastFlushAt: now,
			lastSpoolAt: 0,
			backoffMs: this.options.backoffMinMs,
			nextAttemptAt: 0,
			available: true,
			reportedUnavailable: false,
			retryAt: 0,
			stats: { sentMessages: 0, sentEvents: 0, failures: { retryable: 0, 'channel-unavailable': 0, rejected: 0 }, droppedEvents: 0, rejectedEvents: 0, fallbackEvents: 0 }
		});
		this.states = { diagnostics: state('diagnostics'), logs: state('logs'), analytics: state('analytics'), performance: state('performance') };
		this.list = CHANNEL_NAMES.map((name) => this.states[name]);
		// Seqs continue across restarts: above anything persisted or still in a spool.
		this.nextSeq = Math.max(this.readSeqFile(), ...this.list.map((ch) => ch.spool.maxSeq + 1), 1);
		this.persistedSeq = this.nextSeq;
	}

	/**
	 * Queues one event for `channel`. Synchronous, O(1), never throws: a broken input is counted,
	 * not raised. Do not mutate `input` afterwards (it is formatted when the batch goes out).
	 */
	public enqueue(channel: ReportChannelName, input: ReportEventInput): number | undefined {
		try {
			const ch = this.states[channel];
			if (ch === undefined || input === null || typeof input !== 'object') {
				this.counters.enqueueErrors++;
				return undefined;
			}
			const pending: Pending = { seq: this.nextSeq++, input, at: this.now(), event: undefined };
			this.counters.enqueued++;
			if (this.stopped) {
				this.spoolLate(ch, pending);
				return pending.seq;
			}
			if (input.severity === 'CRITICAL') {
				ch.urgent.push(pending);
				this.schedule(ch);
			} else {
				// The first event of a batch waits the flush interval for company (measured from now).
				if (ch.normal.length === 0 && this.started) ch.lastFlushAt = pending.at;
				ch.normal.push(pending);
				ch.weight += input.severity === 'WARNING' ? 5 : 1;
				if (ch.weight >= FULL_WEIGHT) this.schedule(ch);
				else if (ch.normal.length === 1) this.wakeFor(ch);
				if (ch.normal.length > this.options.maxQueuedEvents) {
					ch.normal.drop(1);
					ch.stats.droppedEvents++;
				}
			}
			return pending.seq;
		} catch {
			this.counters.enqueueErrors++;
			return undefined;
		}
	}

	/**
	 * Queues one event and sends it now; resolves once it is durable: 'sent' (Discord took it) or
	 * 'spooled' (fsync'd to the spool, replayed in order later, also after a restart). Rejects when
	 * it can be neither (rejected by Discord, channel unavailable, disk failing). For events that
	 * must not be lost nor repeated, e.g. the daily summary, whose claim is marked done only then.
	 */
	public deliver(channel: ReportChannelName, input: ReportEventInput): Promise<'sent' | 'spooled'> {
		// Waiting before enqueueing: after stop() the event is spooled inside enqueue itself.
		const expected = this.nextSeq;
		const settled = new Promise<'sent' | 'spooled'>((resolve, reject) => this.deliveries.set(expected, { resolve, reject }));
		const seq = this.enqueue(channel, input);
		if (seq !== expected) {
			this.deliveries.delete(expected);
			return Promise.reject(new Error('the report could not be queued'));
		}
		if (!this.stopped) void this.flush(channel);
		return settled;
	}

	public start(): void {
		if (this.started) return;
		this.started = true;
		this.rest.on('rateLimited', this.onRateLimited);
		// Replays whatever a previous run left in the spools; each pump arms the next wake-up it needs.
		this.pumpAll();
	}

	/** Flushes every queue within the stop budget (and `signal`); whatever cannot be sent is spooled. */
	public async stop(signal?: AbortSignal): Promise<void> {
		if (this.stopped) return;
		this.stopping = true;
		this.cancelWake();
		// The registry stops waiting for us at the deadline, and the process exits soon after:
		// spool synchronously inside the abort handler, before anyone else runs.
		const onAbort = () => this.spoolEverything();
		signal?.addEventListener('abort', onAbort, { once: true });
		const deadline = this.now() + this.options.stopBudgetMs;
		try {
			while (!signal?.aborted && this.now() < deadline) {
				await Promise.all(this.list.map((ch) => this.pumpChannel(ch)));
				if (this.list.every((ch) => !ch.busy && ch.urgent.length === 0 && ch.normal.length === 0)) break;
				await new Promise((resolve) => setTimeout(resolve, Math.min(50, this.options.tickMs)));
			}
		} finally {
			signal?.removeEventListener('abort', onAbort);
			this.spoolEverything();
			this.stopped = true;
			this.started = false;
			this.rest.off('rateLimited', this.onRateLimited);
		}
	}

	/** Sends a clearly marked test message to one channel: ok + round trip, or the exact reason it failed. */
	public async testChannel(channel: ReportChannelName): Promise<ChannelTestResult> {
		const ch = this.states[channel];
		const base = { channel, channelId: ch.id };
		const begin = performance.now();
		const timeoutMs = this.options.testTimeoutMs;
		try {
			// Our own pacing (reports in flight on this channel): wait a little, else say so.
			for (let waited = 0; ; ) {
				const wait = await this.limiter.tryAcquire(ch.id, this.now(), true);
				if (wait <= 0) break;
				if (waited + wait > TEST_PACING_WAIT_MS) return { ...base, ok: false, reason: `rate limited (retry after ${(wait / 1000).toFixed(1)} s)` };
				await new Promise((resolve) => setTimeout(resolve, wait));
				waited += wait;
			}
			const iso = new Date(this.now()).toISOString();
			const body: MessageBody = {
				embeds: [
					{
						title: '🧪 Nexus reporting test',
						description: `Test message for the **${ch.label}** channel (REPORT_CHANNEL_${channel.toUpperCase()}), sent by \`/nexus test_reporting\`. Not a report; nothing to do.`,
						color: 0x99aab5,
						footer: { text: 'test message · not a report' },
						timestamp: iso
					}
				],
				allowed_mentions: { parse: [] }
			};
			// discord.js waits out rate limits without telling the caller: notice them and answer at once.
			const controller = new AbortController();
			let rateLimited: number | undefined;
			const onLimited = (info: RateLimitData) => {
				if (info.majorParameter === ch.id || info.global) {
					rateLimited = info.retryAfter;
					controller.abort();
				}
			};
			this.rest.on('rateLimited', onLimited);
			let result: SendResult | null;
			try {
				const limited = new Promise<null>((resolve) => controller.signal.addEventListener('abort', () => resolve(null), { once: true }));
				// The aborted request settles by itself once discord.js's wait ends; it is not sent then.
				const attempt = () => Promise.race([this.sender.send(ch.id, { body, files: [] }, { timeoutMs, signal: controller.signal }), limited]);
				result = await attempt();
				// A keep-alive socket that died while idle says nothing about Discord: try once more on a fresh one.
				if (result?.reason.startsWith('connection lost')) result = await attempt();
			} finally {
				this.rest.off('rateLimited', onLimited);
			}
			if (result?.reachedDiscord === false) await this.limiter.cancel?.(ch.id);
			else await this.limiter.complete?.(ch.id, this.now());
			const ms = Math.round(performance.now() - begin);
			if (result === null || (rateLimited !== undefined && result.outcome !== 'ok')) return { ...base, ok: false, ms, reason: `rate limited (retry after ${((rateLimited ?? 0) / 1000).toFixed(1)} s)` };
			if (result.outcome === 'ok') {
				if (!ch.available || ch.reportedUnavailable) this.markAvailable(ch);
				return { ...base, ok: true, ms: result.ms };
			}
			if (result.outcome === 'channel-unavailable') this.markUnavailable(ch, result.reason);
			return { ...base, ok: false, ms, reason: result.reason };
		} catch (error) {
			this.counters.internalErrors++;
			return { ...base, ok: false, ms: Math.round(performance.now() - begin), reason: `internal error: ${this.redactor.redact(String((error as Error)?.message ?? error))}` };
		}
	}

	public snapshot(): ReporterSnapshot {
		const now = this.now();
		const channels = {} as Record<ReportChannelName, ReporterChannelSnapshot>;
		for (const ch of this.list) {
			const spool = ch.spool.stats;
			const backlog = !ch.spool.isEmpty;
			const nextAttempt = !ch.available ? ch.retryAt : backlog ? ch.nextAttemptAt : undefined;
			channels[ch.name] = {
				channel: ch.name,
				channelId: ch.id,
				available: ch.available && !ch.reportedUnavailable,
				unavailableReason: ch.reportedUnavailable ? ch.unavailableReason : undefined,
				queued: ch.urgent.length + ch.normal.length,
				urgentQueued: ch.urgent.length,
				backlog,
				sentMessages: ch.stats.sentMessages,
				sentEvents: ch.stats.sentEvents,
				failures: { ...ch.stats.failures },
				droppedEvents: ch.stats.droppedEvents + spool.dropped,
				rejectedEvents: ch.stats.rejectedEvents,
				fallbackEvents: ch.stats.fallbackEvents,
				spool: { bytes: spool.bytes, entries: spool.entries, events: spool.events },
				lastSendMs: ch.stats.lastSendMs,
				lastSendAt: ch.stats.lastSendAt === undefined ? undefined : new Date(ch.stats.lastSendAt).toISOString(),
				nextAttemptInMs: nextAttempt === undefined ? undefined : Math.max(0, nextAttempt - now)
			};
		}
		return { seq: this.nextSeq - 1, ...this.counters, channels };
	}

	/**
	 * Sends what is queued for `channel` (or every channel) now instead of at the end of its flush
	 * interval, e.g. right after enqueueing the daily summary. Still paced, still spooled on failure;
	 * resolves when this round of sending is done.
	 */
	public async flush(channel?: ReportChannelName): Promise<void> {
		const targets = channel ? [this.states[channel]] : this.list;
		for (const ch of targets) ch.lastFlushAt = Number.NEGATIVE_INFINITY;
		await Promise.all(targets.map((ch) => this.pumpChannel(ch)));
	}

	// ---- internals -------------------------------------------------------------------------

	private schedule(ch: ChannelState): void {
		if (ch.scheduled || !this.started || this.stopping) return;
		ch.scheduled = true;
		setImmediate(() => {
			ch.scheduled = false;
			void this.pumpChannel(ch);
		});
	}

	private pumpAll(): void {
		for (const ch of this.list) void this.pumpChannel(ch);
	}

	// Wake-ups instead of a fixed tick: an idle reporter costs nothing. Every pump ends by arming
	// the earliest time its channel can make progress; enqueue arms one for a batch's first event.

	/** When `ch` next needs a pump; Infinity when nothing is queued or spooled. */
	private dueAt(ch: ChannelState): number {
		if (ch.urgent.length === 0 && ch.normal.length === 0 && ch.spool.isEmpty) return Number.POSITIVE_INFINITY;
		const soon = this.now() + this.options.tickMs;
		// Criticals, a full batch, a backlog or an outage: poll as often as pacing and backoff may allow.
		if (ch.urgent.length > 0 || !ch.spool.isEmpty || !ch.available || ch.weight >= FULL_WEIGHT) return soon;
		return Math.max(soon, ch.lastFlushAt + ch.intervalMs);
	}

	private wakeFor(ch: ChannelState): void {
		const at = this.dueAt(ch);
		if (at >= this.wakeAt || !this.started || this.stopping) return;
		if (this.wakeTimer) clearTimeout(this.wakeTimer);
		this.wakeAt = at;
		this.wakeTimer = setTimeout(this.onWake, Math.min(this.maxSleepMs, Math.max(0, at - this.now())));
		this.wakeTimer.unref();
	}

	private readonly onWake = (): void => {
		this.wakeTimer = undefined;
		this.wakeAt = Number.POSITIVE_INFINITY;
		for (const ch of this.list) {
			// A busy channel re-arms itself when its pump ends.
			if (ch.busy) continue;
			void this.pumpChannel(ch);
		}
	};

	private cancelWake(): void {
		if (this.wakeTimer) clearTimeout(this.wakeTimer);
		this.wakeTimer = undefined;
		this.wakeAt = Number.POSITIVE_INFINITY;
	}

	/** One channel at a time: sends, spools or falls back until nothing more can be done right now. */
	private async pumpChannel(ch: ChannelState): Promise<void> {
		if (ch.busy || this.stopped) return;
		ch.busy = true;
		try {
			for (let round = 0; round < 50; round++) {
				const now = this.now();
				let progressed: boolean;
				if (!ch.available) progressed = this.pumpUnavailable(ch, now);
				else if (!ch.spool.isEmpty) progressed = await this.pumpBacklog(ch, now);
				else progressed = await this.pumpLive(ch, now);
				if (!progressed) break;
			}
		} catch (error) {
			this.counters.internalErrors++;
			this.log(`internal error in channel ${ch.name}: ${String((error as Error)?.stack ?? error)}`);
		} finally {
			ch.busy = false;
			this.wakeFor(ch);
		}
	}

	private async pumpLive(ch: ChannelState, now: number): Promise<boolean> {
		let queue: EventQueue<Pending>;
		let urgent = false;
		if (ch.urgent.length > 0) {
			queue = ch.urgent;
			urgent = true;
		} else if (ch.normal.length > 0 && (this.stopping || ch.weight >= FULL_WEIGHT || now - ch.lastFlushAt >= ch.intervalMs)) {
			queue = ch.normal;
		} else {
			if (ch.normal.length === 0) ch.lastFlushAt = now;
			return false;
		}
		return this.sendFromQueue(ch, queue, urgent, now);
	}

	private async sendFromQueue(ch: ChannelState, queue: EventQueue<Pending>, urgent: boolean, now: number): Promise<boolean> {
		if ((await this.limiter.tryAcquire(ch.id, now, urgent)) > 0) return false;
		// More criticals than two messages of embeds hold: one digest now beats minutes of paced sends.
		const packed = this.batcher.pack(this.sourceOf(queue), ch.label, urgent ? URGENT_DIGEST_THRESHOLD : undefined)!;
		queue.drop(packed.events.length);
		if (!urgent) {
			ch.weight = Math.max(0, ch.weight - packed.events.reduce((sum, event) => sum + (event.severity === 'WARNING' ? 5 : 1), 0));
			if (ch.normal.length === 0) ch.lastFlushAt = now;
		}
		const result = await this.send(ch, packed, false);
		if (result.outcome === 'ok') return true;
		if (result.outcome === 'retryable') {
			await this.spool(ch, packed.events);
			this.backOff(ch, result);
		} else if (result.outcome === 'channel-unavailable') {
			this.markUnavailable(ch, result.reason);
			this.fallback(ch, packed.events);
		} else {
			this.reject(ch, packed.events.length, result, packed.events);
		}
		return false;
	}

	private async pumpBacklog(ch: ChannelState, now: number): Promise<boolean> {
		const canSend = !this.stopping && now >= ch.nextAttemptAt;
		// Critical events skip INFO traffic, the spooled backlog included, once Discord answers again.
		if (canSend && ch.urgent.length > 0) return this.sendFromQueue(ch, ch.urgent, true, now);
		// Everything else goes behind the spool, so order holds; spooled often, so a crash loses little.
		if ((ch.urgent.length || ch.normal.length) && (this.stopping || ch.urgent.length > 0 || now - ch.lastSpoolAt >= SPOOL_EVERY_MS)) {
			await this.spool(ch, this.drainQueues(ch));
			ch.lastSpoolAt = now;
		}
		if (!canSend) return false;
		if ((await this.limiter.tryAcquire(ch.id, now, false)) > 0) return false;
		const events = ch.spool.peek(5000);
		if (events.length === 0) {
			// Only batches still being written: nothing durable to replay yet. The slot goes back unused.
			await this.limiter.cancel?.(ch.id);
			return false;
		}
		const packed = this.batcher.pack(events, ch.label)!;
		const result = await this.send(ch, packed, true);
		if (result.outcome === 'ok') {
			ch.spool.ack(packed.events.length);
			ch.nextAttemptAt = 0;
			if (ch.spool.isEmpty) this.backlogReplayed(ch);
			return true;
		}
		if (result.outcome === 'retryable') this.backOff(ch, result);
		else if (result.outcome === 'channel-unavailable') this.markUnavailable(ch, result.reason);
		else {
			ch.spool.ack(packed.events.length);
			this.reject(ch, packed.events.length, result, packed.events);
			return true;
		}
		return false;
	}

	private pumpUnavailable(ch: ChannelState, now: number): boolean {
		if (now >= ch.retryAt) {
			// Try again with real traffic (or the spool): the next failing send marks it unavailable again, silently.
			ch.available = true;
			return true;
		}
		const events = this.drainQueues(ch);
		if (events.length) this.fallback(ch, events);
		return false;
	}

	private async send(ch: ChannelState, packed: PackedMessage, fromSpool: boolean): Promise<SendResult> {
		this.persistSeq();
		ch.inFlight = { events: packed.events, fromSpool, spooled: false };
		const result = await this.sender.send(ch.id, packed, { signal: this.abortSends.signal });
		// During an outage, refused connections must not eat the pacing budget the replay needs afterwards.
		if (result.reachedDiscord === false) await this.limiter.cancel?.(ch.id);
		else await this.limiter.complete?.(ch.id, this.now());
		const spooledMeanwhile = ch.inFlight.spooled;
		ch.inFlight = undefined;
		ch.stats.lastSendMs = result.ms;
		this.noteDiscordRest(result);
		if (result.outcome === 'ok') {
			this.settle(packed.events, 'sent');
			ch.stats.sentMessages++;
			ch.stats.sentEvents += packed.events.length;
			ch.stats.lastSendAt = this.now();
			ch.backoffMs = this.options.backoffMinMs;
			if (packed.droppedFiles) this.log(`${ch.name}: ${packed.droppedFiles} attached file(s) above 8 MiB could not be sent (events #${packed.events[0]!.seq}-#${packed.events.at(-1)!.seq})`);
			if (ch.reportedUnavailable) this.markAvailable(ch);
		} else {
			ch.stats.failures[result.outcome]++;
		}
		// The shutdown deadline spooled this batch while it was in flight: the outcome is already taken care of.
		if (spooledMeanwhile && result.outcome !== 'ok') return { ...result, outcome: 'ok' };
		return result;
	}

	/** Discord answering (even "unknown channel") ends a REST incident; unreachable or 5xx beyond retries is one more failure. */
	private noteDiscordRest(result: SendResult): void {
		if (!this.incidents || this.abortSends.signal.aborted) return;
		if (result.outcome === 'ok' || result.outcome === 'channel-unavailable') this.incidents.recovered('discord-rest');
		// A 429 is Discord asking us to slow down, not Discord being down.
		else if (result.outcome === 'retryable' && result.status !== 429 && !result.reason.startsWith('rate limited')) this.incidents.failure('discord-rest', result.reason);
	}

	private backOff(ch: ChannelState, result: SendResult): void {
		const now = this.now();
		const wait = Math.max(ch.backoffMs, result.retryAfterMs ?? 0);
		ch.nextAttemptAt = now + wait;
		ch.backoffMs = Math.min(ch.backoffMs * 2, this.options.backoffMaxMs);
		const spool = ch.spool.stats;
		this.log(`${ch.name} (${ch.id}): send failed: ${result.reason}; ${spool.events} event(s) spooled (${spool.bytes} bytes), retrying in ${Math.round(wait / 100) / 10} s`);
	}

	private markUnavailable(ch: ChannelState, reason: string): void {
		ch.available = false;
		ch.unavailableReason = reason;
		ch.retryAt = this.now() + this.options.channelRetryMs;
		const retry = `${Math.round(this.options.channelRetryMs / 1000)} s`;
		// One incident: counted at every failed retry, posted after the grace, reminded, and closed with its duration.
		this.incidents?.down(`report-channel:${ch.name}`, `${reason} (REPORT_CHANNEL_${ch.name.toUpperCase()}=${ch.id}; its reports go to stderr, retried every ${retry})`);
		if (ch.reportedUnavailable) return;
		ch.reportedUnavailable = true;
		this.log(`channel "${ch.name}" (REPORT_CHANNEL_${ch.name.toUpperCase()}=${ch.id}) is unavailable: ${reason}. Its reports go to stderr; retrying every ${retry}.`);
		if (ch.name !== 'diagnostics' && !this.incidents) {
			this.enqueue('diagnostics', {
				event: 'reporter.channel_unavailable',
				severity: 'CRITICAL',
				title: `Report channel "${ch.name}" unavailable: ${reason}`,
				data: { channel: ch.name, channelId: ch.id, config: `REPORT_CHANNEL_${ch.name.toUpperCase()}`, reason, retryEvery: retry }
			});
		}
	}

	private markAvailable(ch: ChannelState): void {
		const was = ch.unavailableReason;
		ch.available = true;
		ch.reportedUnavailable = false;
		ch.unavailableReason = undefined;
		this.log(`channel "${ch.name}" (${ch.id}) is available again${was ? ` (was: ${was})` : ''}.`);
		this.incidents?.recovered(`report-channel:${ch.name}`);
		if (ch.name !== 'diagnostics' && !this.incidents) {
			this.enqueue('diagnostics', { event: 'reporter.channel_available', severity: 'INFO', data: { channel: ch.name, channelId: ch.id, was: was ?? 'unavailable' } });
		}
	}

	private backlogReplayed(ch: ChannelState): void {
		ch.backoffMs = this.options.backoffMinMs;
		const dropped = ch.spool.takeDropped();
		this.log(`${ch.name}: spool replayed, sends are back to normal${dropped ? `; ${dropped} event(s) were dropped because the spool was full` : ''}.`);
		if (dropped) {
			this.enqueue(ch.name, {
				event: 'reporter.spool_dropped',
				severity: 'WARNING',
				title: `${dropped} report event(s) lost: the outage spool was full`,
				data: { channel: ch.name, dropped, spoolMaxBytes: ch.spool.stats.bytes }
			});
		}
	}

	private reject(ch: ChannelState, count: number, result: SendResult, events: readonly ReportEvent[] = []): void {
		this.settle(events, new Error(`Discord rejected the report: ${result.reason}`));
		ch.stats.rejectedEvents += count;
		ch.stats.droppedEvents += count;
		this.log(`${ch.name} (${ch.id}): Discord rejected a report (${result.reason}); ${count} event(s) dropped. This is a bug in the batcher.`);
	}

	/** Redacted events into the channel's spool (settled 'spooled' once fsync'd, off the event loop); if the disk fails too, to stderr. */
	private async spool(ch: ChannelState, events: readonly ReportEvent[]): Promise<void> {
		if (events.length === 0) return;
		try {
			await ch.spool.append(events.map((event) => this.formatter.plain(event)));
			this.settle(events, 'spooled');
		} catch (error) {
			this.counters.internalErrors++;
			this.log(`${ch.name}: spooling ${events.length} event(s) failed (${String((error as Error)?.message ?? error)}); writing them to stderr instead.`);
			this.fallback(ch, events);
		}
	}

	/** `spool` for the shutdown deadline and after stop: durable before it returns (the process may exit right after). */
	private spoolNow(ch: ChannelState, events: readonly ReportEvent[]): void {
		if (events.length === 0) return;
		try {
			ch.spool.appendSync(events.map((event) => this.formatter.plain(event)));
			this.settle(events, 'spooled');
		} catch (error) {
			this.counters.internalErrors++;
			this.log(`${ch.name}: spooling ${events.length} event(s) failed (${String((error as Error)?.message ?? error)}); writing them to stderr instead.`);
			this.fallback(ch, events);
		}
	}

	/** Tells deliver() callers how their events ended. */
	private settle(events: readonly { seq: number }[], outcome: 'sent' | 'spooled' | Error): void {
		if (this.deliveries.size === 0) return;
		for (const event of events) {
			const waiter = this.deliveries.get(event.seq);
			if (!waiter) continue;
			this.deliveries.delete(event.seq);
			if (outcome instanceof Error) waiter.reject(outcome);
			else waiter.resolve(outcome);
		}
	}

	/** The local fallback: one redacted JSON line per event on stderr. */
	private fallback(ch: ChannelState, events: readonly ReportEvent[]): void {
		this.settle(events, new Error(`channel ${ch.name} unavailable or spool failing: written to stderr only`));
		ch.stats.fallbackEvents += events.length;
		for (const event of events) this.stderr(`${REPORTER_LOG_PREFIX} fallback ${ch.name} ${JSON.stringify(this.formatter.wire(event))}`);
	}

	private drainQueues(ch: ChannelState): ReportEvent[] {
		const events = [...ch.urgent.clear(), ...ch.normal.clear()].map((pending) => this.materialize(pending));
		ch.weight = 0;
		return events;
	}

	/** At the deadline: everything queued or in flight goes to disk (or stderr), synchronously. */
	private spoolEverything(): void {
		this.abortSends.abort();
		for (const ch of this.list) {
			try {
				if (ch.inFlight && !ch.inFlight.fromSpool && !ch.inFlight.spooled) {
					ch.inFlight.spooled = true;
					if (ch.available) this.spoolNow(ch, ch.inFlight.events);
					else this.fallback(ch, ch.inFlight.events);
				}
				const events = this.drainQueues(ch);
				if (events.length) {
					if (ch.available) this.spoolNow(ch, events);
					else this.fallback(ch, events);
				}
			} catch (error) {
				this.counters.internalErrors++;
				this.log(`${ch.name}: spooling at shutdown failed: ${String((error as Error)?.message ?? error)}`);
			}
		}
		this.persistSeq();
	}

	/** Events enqueued after stop (last log lines of a shutdown) go straight to the spool for the next run. */
	private spoolLate(ch: ChannelState, pending: Pending): void {
		this.spoolNow(ch, [this.materialize(pending)]);
		this.persistSeq();
	}

	private sourceOf(queue: EventQueue<Pending>): EventSource {
		return {
			length: queue.length,
			at: (index: number) => {
				const pending = queue.at(index);
				return pending === undefined ? undefined : this.materialize(pending);
			}
		};
	}

	private materialize(pending: Pending): ReportEvent {
		if (pending.event) return pending.event;
		const input = pending.input;
		const severity: Severity = input.severity === 'CRITICAL' || input.severity === 'WARNING' ? input.severity : 'INFO';
		const event: ReportEvent = {
			seq: pending.seq,
			event: typeof input.event === 'string' && input.event ? input.event : String(input.event ?? 'event'),
			severity,
			timestamp: isoTimestamp(input.timestamp, pending.at),
			data: input.data && typeof input.data === 'object' ? input.data : { value: input.data }
		};
		if (input.title !== undefined) event.title = String(input.title);
		if (input.attachJson === true) event.attachJson = true;
		if (Array.isArray(input.files) && input.files.length) event.files = input.files.filter((file) => file && Buffer.isBuffer(file.data));
		pending.event = event;
		return event;
	}

	/** Persisted before every send, so a seq that reached Discord is never handed out again after a crash. */
	private persistSeq(): void {
		if (this.nextSeq === this.persistedSeq) return;
		try {
			const path = join(this.spoolDir, SEQ_FILE);
			writeFileSync(`${path}.tmp`, JSON.stringify({ nextSeq: this.nextSeq }));
			renameSync(`${path}.tmp`, path);
			this.persistedSeq = this.nextSeq;
		} catch (error) {
			this.counters.internalErrors++;
			this.log(`could not persist the report sequence number: ${String((error as Error)?.message ?? error)}`);
		}
	}

	private readSeqFile(): number {
		try {
			const value = Number((JSON.parse(readFileSync(join(this.spoolDir, SEQ_FILE), 'utf8')) as { nextSeq?: unknown }).nextSeq);
			return Number.isSafeInteger(value) && value > 0 ? value : 1;
		} catch {
			return 1;
		}
	}

	private log(message: string): void {
		try {
			this.stderr(`${REPORTER_LOG_PREFIX} ${new Date(this.now()).toISOString()} ${this.redactor.redact(message)}`);
		} catch {
			// The fallback of the fallback: nothing left to tell.
		}
	}
}

function isoTimestamp(value: ReportEventInput['timestamp'], fallback: number): string {
	if (value !== undefined && value !== null) {
		const date = value instanceof Date ? value : new Date(value);
		if (!Number.isNaN(date.getTime())) return date.toISOString();
	}
	return new Date(fallback).toISOString();
}
