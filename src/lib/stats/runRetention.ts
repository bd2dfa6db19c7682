import type { ReportChannelName } from '#root/config.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import type { RollupOptions, RollupResult } from './hourlyRollup.js';
import type { PruneResult } from './statsTypes.js';

export interface RetentionRun {
	stats: {
		prune(options: { hourlyDays: number; dailyDays: number; stillIn?: (guildId: string) => Promise<boolean> }): Promise<PruneResult>;
		rollupMemberHourly?(options: RollupOptions): Promise<RollupResult>;
	};
	reporter: { enqueue(channel: ReportChannelName, input: ReportEventInput): void };
	/** RETENTION_HOURLY_DAYS / RETENTION_DAILY_DAYS */
	hourlyDays: number;
	dailyDays: number;
	/** STATS_MEMBER_HOURLY_DAYS: per-member hourly rows kept (capped at hourlyDays); no rollup when absent. */
	memberHourlyDays?: number;
	/** Is the bot (any shard) in this guild? A due deletion of a guild it is in is cancelled, not run. */
	stillIn?: (guildId: string) => Promise<boolean>;
}

/**
 * The daily retention job: roll per-member hourly rows past STATS_MEMBER_HOURLY_DAYS into days,
 * prune old buckets and due guild deletions (all idempotent), then say what went, on Logs.
 */
export async function runRetention({ stats, reporter, hourlyDays, dailyDays, memberHourlyDays, stillIn }: RetentionRun): Promise<PruneResult> {
	const began = performance.now();
	const rollup =
		memberHourlyDays !== undefined && stats.rollupMemberHourly ? await stats.rollupMemberHourly({ memberHourlyDays: Math.min(memberHourlyDays, hourlyDays) }) : null;
	const result = await stats.prune({ hourlyDays, dailyDays, stillIn });
	const hourlyRows = result.hourlyRows + (rollup?.rows ?? 0);
	reporter.enqueue('logs', {
		event: 'stats.retention',
		severity: 'INFO',
		title: `Retention: ${hourlyRows.toLocaleString('en-US')} hourly and ${result.dailyRows.toLocaleString('en-US')} daily rows pruned`,
		data: {
			hourlyRows,
			dailyRows: result.dailyRows,
			guildsPurged: result.guildsPurged.length,
			hourlyDays,
			dailyDays,
			...(rollup ? { memberHourlyRows: rollup.rows, memberHourlyDays: Math.min(memberHourlyDays!, hourlyDays), memberHourlyMs: Math.round(rollup.ms) } : {}),
			ms: Math.round(performance.now() - began)
		}
	});
	return { ...result, hourlyRows };
}
