import type { ReportChannelName } from '#root/config.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import type { PruneResult } from './statsTypes.js';

export interface RetentionRun {
	stats: { prune(options: { hourlyDays: number; dailyDays: number; stillIn?: (guildId: string) => Promise<boolean> }): Promise<PruneResult> };
	reporter: { enqueue(channel: ReportChannelName, input: ReportEventInput): void };
	/** RETENTION_HOURLY_DAYS / RETENTION_DAILY_DAYS */
	hourlyDays: number;
	dailyDays: number;
	/** Is the bot (any shard) in this guild? A due deletion of a guild it is in is cancelled, not run. */
	stillIn?: (guildId: string) => Promise<boolean>;
}

/** The daily retention job: prune old buckets and due guild deletions (idempotent), then say what went, on Logs. */
export async function runRetention({ stats, reporter, hourlyDays, dailyDays, stillIn }: RetentionRun): Promise<PruneResult> {
	const began = performance.now();
	const result = await stats.prune({ hourlyDays, dailyDays, stillIn });
	reporter.enqueue('logs', {
		event: 'stats.retention',
		severity: 'INFO',
		title: `Retention: ${result.hourlyRows.toLocaleString('en-US')} hourly and ${result.dailyRows.toLocaleString('en-US')} daily rows pruned`,
		data: {
			hourlyRows: result.hourlyRows,
			dailyRows: result.dailyRows,
			guildsPurged: result.guildsPurged.length,
			hourlyDays,
			dailyDays,
			ms: Math.round(performance.now() - began)
		}
	});
	return result;
}
