import type { ReportChannelName } from '#root/config.js';
import type { MetaStore } from '#lib/stats/MetaStore.js';
import type { StatsSummaries } from '#lib/stats/StatsSummaries.js';
import type { AnalyticsSnapshot } from '#lib/stats/statsTypes.js';
import { buildAnalyticsReport, isQuietWindow } from './analyticsReport.js';
import type { ReportEventInput } from './ReportEvent.js';

/** Store meta key: end of the window of the last analytics report (epoch ms), shared by the fleet. */
export const LAST_ANALYTICS_META = 'lastAnalyticsReportAt';
/** Store meta key: sequence number of the last flush the previous analytics report counted. */
export const LAST_ANALYTICS_SEQ_META = 'lastAnalyticsFlushSeq';
/** A bot that was down for days reports at most the last day, not a week in one line. */
const MAX_WINDOW_MS = 24 * 3_600_000;

export interface AnalyticsReportPosterOptions {
	stats: { store: { summaries: Pick<StatsSummaries, 'analyticsSnapshot'>; meta: Pick<MetaStore, 'get' | 'set'> } };
	reporter: { enqueue(channel: ReportChannelName, input: ReportEventInput): void; flush(channel?: ReportChannelName): Promise<void> };
	/** REPORT_ANALYTICS_INTERVAL_MS: the first window's length. */
	intervalMs: number;
	guildName?: (guildId: string) => string | undefined;
	now?: () => number;
}

/**
 * The periodic Analytics report (a fleet-wide task: one run per tick across processes). Windows are
 * contiguous: each counts the flushes committed after the ones the previous report counted (a
 * flush sequence number in store meta, not a time range), so a flush stamped before a window's end
 * that commits after the window was read lands in the next one, and a re-delivered job reports only
 * what is new.
 * A window with no activity posts nothing (the marker still moves on).
 */
export class AnalyticsReportPoster {
	private readonly now: () => number;

	public constructor(private readonly options: AnalyticsReportPosterOptions) {
		this.now = options.now ?? Date.now;
	}

	public async run(): Promise<{ posted: boolean; snapshot: AnalyticsSnapshot }> {
		const { stats, reporter } = this.options;
		const now = this.now();
		const stored = Number(await stats.store.meta.get(LAST_ANALYTICS_META));
		const since = Number.isFinite(stored) && stored > 0 && stored < now ? Math.max(stored, now - MAX_WINDOW_MS) : now - this.options.intervalMs;
		const storedSeq = await stats.store.meta.get(LAST_ANALYTICS_SEQ_META);
		const afterSeq = storedSeq === null ? undefined : Number(storedSeq);
		const snapshot = await stats.store.summaries.analyticsSnapshot(since, this.now(), afterSeq === undefined || !Number.isFinite(afterSeq) ? undefined : { afterSeq, notBefore: now - MAX_WINDOW_MS });
		const posted = !isQuietWindow(snapshot);
		if (posted) {
			reporter.enqueue('analytics', buildAnalyticsReport(snapshot, this.options.guildName));
			// The Analytics channel batches for as long as this task's interval: send now, not next tick.
			await reporter.flush('analytics');
		}
		if (snapshot.seq !== undefined) await stats.store.meta.set(LAST_ANALYTICS_SEQ_META, String(snapshot.seq));
		await stats.store.meta.set(LAST_ANALYTICS_META, String(snapshot.to));
		return { posted, snapshot };
	}
}
