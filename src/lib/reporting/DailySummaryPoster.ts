import type { ReportChannelName } from '#root/config.js';
import type { RankingSpec } from '#lib/charts/ChartSpecs.js';
import type { MetaStore } from '#lib/stats/MetaStore.js';
import type { StatsSummaries } from '#lib/stats/StatsSummaries.js';
import { buildDailySummaryReport, type OpsDayFigures } from './dailySummary.js';
import type { ReportEventInput } from './ReportEvent.js';
import type { ClaimOutcome, DayClaims } from './SummaryClaims.js';
import { addDays, missingSummaryDays, startOfUtcDay, utcDay } from './summaryDays.js';

/** Store meta key: the last UTC day whose summary was posted (fleet-wide, in the statistics store). */
export const LAST_SUMMARY_META = 'lastSummaryDate';

export interface DailySummaryPosterOptions {
	stats: {
		/** Writes this process's unflushed counters, so the day's last minutes are in the store. */
		flush?(): Promise<unknown>;
		store: { summaries: Pick<StatsSummaries, 'dailySummary'>; meta: Pick<MetaStore, 'get' | 'set'> };
	};
	/** `deliver` resolves once the summary was sent or fsync'd to the reporter's spool. */
	reporter: { deliver(channel: ReportChannelName, input: ReportEventInput): Promise<'sent' | 'spooled'> };
	claims: DayClaims;
	/** The chart renderer (container.charts, or one of our own); called per post so a late-wired renderer is used. */
	charts: () => { renderRanking(spec: RankingSpec): Promise<Buffer> };
	/** Uptime, restarts, health and alerts of a day (DailyOpsLedger.read). */
	ops?: (day: string) => Promise<OpsDayFigures>;
	guildName?: (guildId: string) => string | undefined;
	channelName?: (channelId: string) => string | undefined;
	/**
	 * Wait this long after 00:00 UTC before summarising yesterday, so every process has flushed its
	 * last minute of the day (STATS_FLUSH_INTERVAL_MS plus a margin). Default 0.
	 */
	settleMs?: number;
	/** At most this many missed days are posted (the most recent). Default 7. */
	maxCatchUpDays?: number;
	/**
	 * A day found claimed but unfinished by another process is looked at again after this long (its
	 * owner may have died mid-post; the claim then has expired). Default 305 s (the claim TTL + 5 s).
	 */
	retryPendingMs?: number;
	/** True once shutdown began (`container.draining`): a run waiting for midnight's last flushes gives up, so it never holds up the BullMQ worker's close; the next start posts the day. */
	stopping?: () => boolean;
	now?: () => number;
	sleep?: (ms: number) => Promise<void>;
	log: { info(message: string): void; warn(message: string): void };
}

export interface CatchUpResult {
	posted: string[];
	/** Days another process posted (or is posting). */
	elsewhere: string[];
	/** Missed days older than the catch-up window, not posted. */
	skipped: number;
}

/**
 * Posts the daily summary of every UTC day that has none yet, oldest first, exactly once across
 * all processes:
 *
 * - `lastSummaryDate` (statistics store meta) says which days are owed: every day after it up to
 *   yesterday, at most `maxCatchUpDays`. The very first run (no marker) only sets it to yesterday:
 *   a fresh install has no past to summarise, and the day it was installed is posted next midnight.
 * - Each day is claimed in Redis (SummaryClaims) before posting, so the midnight task, the catch-up
 *   on ready of every process and a re-delivered job never post a day twice.
 * - The marker only moves forward; a day claimed but still pending elsewhere stops this run (its
 *   owner posts it and the days after, in order). If the owner died mid-post its claim expires, and
 *   this process looks again once it has (`retryPendingMs`).
 *
 * Runs in one process never overlap (ready and the task may fire together).
 */
export class DailySummaryPoster {
	private readonly now: () => number;
	private readonly sleep: (ms: number) => Promise<void>;
	private chain: Promise<unknown> = Promise.resolve();
	private retryTimer: NodeJS.Timeout | undefined;

	public constructor(private readonly options: DailySummaryPosterOptions) {
		this.now = options.now ?? Date.now;
		this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
	}

	/** Posts every owed day (at midnight, on ready, on each task run). Throws on store/Redis errors; the next run retries. */
	public run(): Promise<CatchUpResult> {
		const run = this.chain.then(() => this.runOnce());
		this.chain = run.catch(() => undefined);
		return run;
	}

	private async runOnce(): Promise<CatchUpResult> {
		const { store } = this.options.stats;
		const result: CatchUpResult = { posted: [], elsewhere: [], skipped: 0 };
		let today = utcDay(this.now());
		const last = await store.meta.get(LAST_SUMMARY_META);
		if (last === null) {
			await store.meta.set(LAST_SUMMARY_META, addDays(today, -1));
			this.options.log.info(`Daily summary: first run, nothing to catch up; the summary of ${today} will be posted after midnight UTC.`);
			return result;
		}
		let { days, skipped } = missingSummaryDays(last, today, this.options.maxCatchUpDays ?? 7);
		if (days.length === 0) return result;
		// Just after midnight: give every process's last flush of yesterday time to land.
		const settle = startOfUtcDay(today) + (this.options.settleMs ?? 0) - this.now();
		if (settle > 0 && days.at(-1) === addDays(today, -1)) {
			const until = this.now() + settle;
			// In short slices: a shutdown must not wait for this.
			while (this.now() < until) {
				if (this.options.stopping?.()) return result;
				await this.sleep(Math.min(1000, until - this.now()));
			}
			today = utcDay(this.now());
			({ days, skipped } = missingSummaryDays(last, today, this.options.maxCatchUpDays ?? 7));
		}
		await this.options.stats.flush?.().catch(() => undefined);
		result.skipped = skipped;
		if (skipped > 0) this.options.log.warn(`Daily summary: ${skipped} missed day(s) before ${days[0]} are older than the catch-up window and were not posted.`);
		for (const day of days) {
			const outcome = await this.postDay(day);
			if (outcome === 'pending') {
				result.elsewhere.push(day);
				this.retryLater();
				break;
			}
			(outcome === 'claimed' ? result.posted : result.elsewhere).push(day);
			await this.advanceMarker(day);
		}
		if (result.posted.length) this.options.log.info(`Daily summary posted for ${result.posted.join(', ')}.`);
		return result;
	}

	/** Claims, builds and delivers one day's summary. 'claimed' = posted here. */
	private async postDay(day: string): Promise<ClaimOutcome> {
		const { claims, reporter } = this.options;
		const outcome = await claims.claim(day);
		if (outcome !== 'claimed') return outcome;
		try {
			const [summary, ops] = await Promise.all([
				this.options.stats.store.summaries.dailySummary(day),
				this.options.ops ? this.options.ops(day).catch(() => null) : Promise.resolve(null)
			]);
			const report = buildDailySummaryReport(summary, { ops, guildName: this.options.guildName, channelName: this.options.channelName, generatedAt: this.now() });
			const files: { name: string; data: Buffer }[] = [{ name: report.files.json, data: Buffer.from(`${JSON.stringify(report.json, null, 2)}\n`) }];
			try {
				files.unshift({ name: report.files.chart, data: await this.options.charts().renderRanking(report.chart) });
			} catch (error) {
				// A summary without its chart beats no summary.
				this.options.log.warn(`Daily summary chart for ${day} failed (${(error as Error)?.message ?? error}); posting without it.`);
			}
			// Fencing: a process that stalled past its claim (and lost the day to another) must not post it.
			if (!(await claims.holds(day))) {
				this.options.log.warn(`Daily summary for ${day}: the claim expired while building it and another process has the day; not posting it here.`);
				return 'pending';
			}
			const outcome = await reporter.deliver('analytics', { ...report.input, files });
			// Done only now that the summary is sent or durably spooled: a crash before this leaves the
			// claim to expire and the day to be posted by the next run.
			if (!(await claims.markDone(day))) {
				this.options.log.warn(`Daily summary for ${day} was ${outcome}, but its claim expired meanwhile: another process may post the day too.`);
			}
		} catch (error) {
			await claims.release(day).catch(() => undefined);
			throw error;
		}
		return 'claimed';
	}

	/** One local retry at a time; a shutdown cancels it (the next start catches up anyway). */
	private retryLater(): void {
		if (this.retryTimer) return;
		this.retryTimer = setTimeout(() => {
			this.retryTimer = undefined;
			if (this.options.stopping?.()) return;
			this.run().catch((error: unknown) => this.options.log.warn(`Daily summary retry failed (the next run retries): ${(error as Error)?.message ?? error}`));
		}, this.options.retryPendingMs ?? 305_000);
		this.retryTimer.unref();
	}

	private async advanceMarker(day: string): Promise<void> {
		const { store } = this.options.stats;
		const current = await store.meta.get(LAST_SUMMARY_META);
		if (current === null || current < day) await store.meta.set(LAST_SUMMARY_META, day);
	}
}
