import type { AlertKey, AlertState } from './AlertManager.js';
import type { CommandWindow, CommandWindowEntry } from './CommandTracker.js';
import type { ErrorRateSnapshot } from './ErrorRateMonitor.js';

/**
 * What a fleet-wide monitoring job needs from the other processes (lib/fleet/FleetWindows reads it
 * from Redis). Monitoring only sees plain data, so it does not depend on Redis. Each method gets this
 * process's own, fresh figures and returns the fleet's (this process's alone when the others cannot
 * be read: a job never fails for want of the fleet).
 */
export interface FleetMerge {
	/** Every process's error window, summed. */
	errors(own: ErrorRateSnapshot): Promise<ErrorRateSnapshot>;
	/** Every process's command window since the last analysis, merged (each window is analysed once). */
	commands(own: CommandWindow): Promise<CommandWindow>;
	/** The latest system reading of every machine (this one's first). */
	machines(own: MachineReading): Promise<MachineReading[]>;
	/**
	 * The fleet's alert state of `keys` (null = not alerting; undefined when unknown), so a fleet
	 * alert raised by one process is neither raised again nor left without its recovery by the next.
	 */
	loadAlerts(keys: readonly AlertKey[]): Promise<Partial<Record<AlertKey, AlertState | null>> | undefined>;
	saveAlerts(states: Partial<Record<AlertKey, AlertState | null>>): Promise<void>;
}

/** One machine's figures as the system alerts watch them. */
export interface MachineReading {
	machine: string;
	at: number;
	/** null on the first sample (no CPU window yet). */
	cpuPercent: number | null;
	loadPerCore: number;
	memoryPercent: number;
	memoryDetail: string;
	diskPercent: number | null;
	diskPath: string | null;
}

const RECENT_ERRORS = 20;
const DURATIONS_PER_COMMAND = 1024;

/** Sums error windows of several processes (same window length): counts, per-source counts, the latest error. */
export function mergeErrorSnapshots(snapshots: readonly ErrorRateSnapshot[]): ErrorRateSnapshot {
	const [first] = snapshots;
	if (!first) throw new Error('mergeErrorSnapshots needs at least one snapshot');
	const bySource: Record<string, number> = {};
	let count = 0;
	let total = 0;
	let lastError: ErrorRateSnapshot['lastError'] = null;
	for (const snapshot of snapshots) {
		count += snapshot.count;
		total += snapshot.total;
		for (const [source, value] of Object.entries(snapshot.bySource)) bySource[source] = (bySource[source] ?? 0) + value;
		if (snapshot.lastError && (!lastError || snapshot.lastError.at > lastError.at)) lastError = snapshot.lastError;
	}
	const windowMs = first.windowMs;
	return { at: first.at, windowMs, count, perMinute: (count / windowMs) * 60_000, total, bySource, lastError };
}

/** Merges command windows of several processes: per command, runs and failures add up, durations are pooled (bounded). */
export function mergeCommandWindows(windows: readonly CommandWindow[]): CommandWindow {
	const [first] = windows;
	if (!first) throw new Error('mergeCommandWindows needs at least one window');
	const byCommand = new Map<string, CommandWindowEntry>();
	for (const window of windows) {
		for (const entry of window.commands) {
			const seen = byCommand.get(entry.command);
			if (!seen) {
				byCommand.set(entry.command, { ...entry, durations: Float64Array.from(entry.durations), errorTypes: structuredClone(entry.errorTypes) });
				continue;
			}
			seen.runs += entry.runs;
			seen.failures += entry.failures;
			seen.totalMs += entry.totalMs;
			seen.maxMs = Math.max(seen.maxMs, entry.maxMs);
			const pooled = new Float64Array(Math.min(DURATIONS_PER_COMMAND, seen.durations.length + entry.durations.length));
			pooled.set(seen.durations.subarray(0, pooled.length));
			if (seen.durations.length < pooled.length) pooled.set(entry.durations.subarray(0, pooled.length - seen.durations.length), seen.durations.length);
			seen.durations = pooled;
			for (const [type, value] of Object.entries(entry.errorTypes)) {
				const known = seen.errorTypes[type];
				seen.errorTypes[type] = known ? { count: known.count + value.count, lastMessage: value.lastMessage } : { ...value };
			}
		}
	}
	const recentErrors = windows
		.flatMap((window) => window.recentErrors)
		.sort((a, b) => a.at - b.at)
		.slice(-RECENT_ERRORS);
	return {
		from: Math.min(...windows.map((window) => window.from)),
		to: Math.max(...windows.map((window) => window.to)),
		commands: [...byCommand.values()],
		recentErrors
	};
}

/** A command window as JSON (durations as a plain array) for Redis; `parseCommandWindow` reads it back. */
export function serializeCommandWindow(window: CommandWindow): string {
	return JSON.stringify({ ...window, commands: window.commands.map((entry) => ({ ...entry, durations: Array.from(entry.durations) })) });
}

/** Undefined for anything that is not a command window (never throws). */
export function parseCommandWindow(json: string): CommandWindow | undefined {
	try {
		const value = JSON.parse(json) as CommandWindow & { commands: (Omit<CommandWindowEntry, 'durations'> & { durations: number[] })[] };
		if (typeof value.from !== 'number' || typeof value.to !== 'number' || !Array.isArray(value.commands)) return undefined;
		return {
			from: value.from,
			to: value.to,
			commands: value.commands.filter((entry) => typeof entry.command === 'string' && typeof entry.runs === 'number').map((entry) => ({ ...entry, durations: Float64Array.from(Array.isArray(entry.durations) ? entry.durations : []) })),
			recentErrors: Array.isArray(value.recentErrors) ? value.recentErrors : []
		};
	} catch {
		return undefined;
	}
}
