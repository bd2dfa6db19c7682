import type { ReporterSnapshot } from '#lib/reporting/Reporter.js';
import type { ReporterMetricsSource } from '#lib/metrics/MetricsRegistry.js';

/** The reporter's snapshot in the shape the Prometheus registry reads at scrape time. */
export function reporterMetrics(snapshot: ReporterSnapshot): ReporterMetricsSource {
	const channels: ReporterMetricsSource['channels'] = {};
	for (const [name, channel] of Object.entries(snapshot.channels)) {
		channels[name] = {
			queued: channel.queued,
			sent: channel.sentMessages,
			failed: Object.values(channel.failures).reduce((sum, count) => sum + count, 0),
			dropped: channel.droppedEvents,
			spoolBytes: channel.spool.bytes
		};
	}
	return { channels };
}
