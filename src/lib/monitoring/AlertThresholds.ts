import type { RawConfig } from '#root/config.js';

export interface Threshold {
	warn?: number;
	critical?: number;
}

export interface AlertThresholds {
	/** Memory used, % (host, or RSS of the container limit: whichever is tighter). */
	memoryPercent: Threshold;
	cpuPercent: Threshold;
	/** Command response time (p95 of the worst command in the analysis window), ms. */
	responseTimeMs: Threshold;
	/** Gateway heartbeat or REST round trip (worst of the two), ms. */
	networkLatencyMs: Threshold;
	diskPercent: Threshold;
	eventLoopP99Ms: Threshold;
	/** Errors per minute over the error monitor's window. */
	errorsPerMinute: Threshold;
}

/** The original design's defaults (also the config defaults). Error-rate limits have no env variable. */
export const DEFAULT_THRESHOLDS: AlertThresholds = {
	memoryPercent: { warn: 75, critical: 90 },
	cpuPercent: { warn: 70, critical: 85 },
	responseTimeMs: { warn: 2000, critical: 5000 },
	networkLatencyMs: { warn: 200, critical: 500 },
	diskPercent: { critical: 90 },
	eventLoopP99Ms: { warn: 100 },
	errorsPerMinute: { warn: 5, critical: 30 }
};

export type AlertConfig = Pick<
	RawConfig,
	| 'ALERT_MEMORY_WARN_PERCENT'
	| 'ALERT_MEMORY_CRITICAL_PERCENT'
	| 'ALERT_CPU_WARN_PERCENT'
	| 'ALERT_CPU_CRITICAL_PERCENT'
	| 'ALERT_RESPONSE_WARN_MS'
	| 'ALERT_RESPONSE_CRITICAL_MS'
	| 'ALERT_LATENCY_WARN_MS'
	| 'ALERT_LATENCY_CRITICAL_MS'
	| 'ALERT_DISK_CRITICAL_PERCENT'
	| 'ALERT_EVENT_LOOP_WARN_MS'
>;

export function thresholdsFromConfig(config: AlertConfig): AlertThresholds {
	return {
		memoryPercent: { warn: config.ALERT_MEMORY_WARN_PERCENT, critical: config.ALERT_MEMORY_CRITICAL_PERCENT },
		cpuPercent: { warn: config.ALERT_CPU_WARN_PERCENT, critical: config.ALERT_CPU_CRITICAL_PERCENT },
		responseTimeMs: { warn: config.ALERT_RESPONSE_WARN_MS, critical: config.ALERT_RESPONSE_CRITICAL_MS },
		networkLatencyMs: { warn: config.ALERT_LATENCY_WARN_MS, critical: config.ALERT_LATENCY_CRITICAL_MS },
		diskPercent: { critical: config.ALERT_DISK_CRITICAL_PERCENT },
		eventLoopP99Ms: { warn: config.ALERT_EVENT_LOOP_WARN_MS },
		errorsPerMinute: DEFAULT_THRESHOLDS.errorsPerMinute
	};
}
