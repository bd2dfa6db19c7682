export type Severity = 'CRITICAL' | 'WARNING' | 'INFO';

/** What callers hand to `container.reporter.enqueue(channel, event)`. */
export interface ReportEventInput {
	/** Short machine name, e.g. `health.report`, `log.error`, `alert.memory`. */
	event: string;
	severity?: Severity;
	/** Defaults to now. */
	timestamp?: Date | string | number;
	/** Optional human title; defaults to a title derived from `event`. */
	title?: string;
	/** Key facts, shown as embed fields; also the JSON wire payload. */
	data?: Record<string, unknown>;
	/** Optional files to attach (e.g. a chart PNG). */
	files?: { name: string; data: Buffer }[];
	/** Attach the full event as JSON even when the embed shows it whole (e.g. a folded error's detail). */
	attachJson?: boolean;
}

/** The `{event, timestamp, data}` wire format, plus ordering metadata. */
export interface ReportEvent {
	seq: number;
	event: string;
	severity: Severity;
	timestamp: string;
	title?: string;
	data: Record<string, unknown>;
	files?: { name: string; data: Buffer }[];
	attachJson?: boolean;
}
