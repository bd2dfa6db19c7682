import type { Config } from '#root/config.js';
import { thresholdsFromConfig } from './AlertThresholds.js';
import type { MonitorJob, MonitorOptions } from './monitorTypes.js';

export const DEFAULT_INTERVALS: Record<MonitorJob, number> = {
	system: 30_000,
	process: 30_000,
	discord: 60_000,
	memory: 60_000,
	errors: 90_000,
	commands: 180_000,
	health: 300_000
};

/** Monitor options from the MONITOR_* and ALERT_* variables. */
export function monitorOptionsFromConfig(config: Config): Pick<MonitorOptions, 'thresholds' | 'repeatMs' | 'intervals'> {
	return {
		thresholds: thresholdsFromConfig(config),
		repeatMs: config.ALERT_REPEAT_MINUTES * 60_000,
		intervals: {
			system: config.MONITOR_SYSTEM_INTERVAL_MS,
			process: config.MONITOR_PROCESS_INTERVAL_MS,
			discord: config.MONITOR_DISCORD_INTERVAL_MS,
			memory: config.MONITOR_MEMORY_INTERVAL_MS,
			errors: config.MONITOR_ERROR_INTERVAL_MS,
			commands: config.MONITOR_COMMAND_INTERVAL_MS,
			health: config.MONITOR_HEALTH_INTERVAL_MS
		}
	};
}
