import type { ReportChannelName } from '#root/config.js';
import type { AnalyticsSnapshot } from '#lib/stats/statsTypes.js';
import { buildAnalyticsReport, isQuietWindow } from './analyticsReport.js';
import type { ReportEventInput } from './ReportEvent.js';

/** Store meta key: end of the window of the last analytics report (epoch ms), shared by the fleet. */
export const LAST_ANALYTICS_META = 'lastAnalyticsReportAt';
/** A bot that was down for days reports at most the last day, not a week in one line. */
const MAX_WINDOW_MS = 24 * 3_600_000;

export interface AnalyticsReportPosterOptions {
	stats: {
		analyticsSnapshot(since: number): Promise<AnalyticsSnapshot>;
		store: { getMeta(key: string): Promise<string | null>; setMeta(key: string, value: string): Promise<void> };
	};
	reporter: { enqueue(channel: ReportChannelName, input: ReportEventInput): void; flush(channel?: ReportChannelName): Promise<void> };
	/** REPORT_ANALYTICS_INTERVAL_MS: the first window's length. */
	intervalMs: number;
	guildName?: (guildId: string) => string | undefined;
	now?: () => number;
}

/**
 * The periodic Analytics report (a fleet-wide task: one run per tick across processes). Windows are
 * contiguous: each starts where the previous report ended (store meta), so activity flushed late
 * lands in the next window instead of being lost, and a re-delivered job reports only what is new.
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
		const stored = Number(await stats.store.getMeta(LAST_ANALYTICS_META));
		const since = Number.isFinite(stored) && stored > 0 && stored < now ? Math.max(stored, now - MAX_WINDOW_MS) : now - this.options.intervalMs;
		const snapshot = await stats.analyticsSnapshot(since);
		const posted = !isQuietWindow(snapshot);
		if (posted) {
			reporter.enqueue('analytics', buildAnalyticsReport(snapshot, this.options.guildName));
			// The Analytics channel batches for as long as this task's interval: send now, not next tick.
			await reporter.flush('analytics');
		}
		await stats.store.setMeta(LAST_ANALYTICS_META, String(snapshot.to));
		return { posted, snapshot };
	}
}
