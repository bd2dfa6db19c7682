/** Types and small helpers shared by the monitor's modules and by what formats their output (healthEmbed). */
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import type { ActiveAlert, AlertEvent } from './AlertManager.js';
import type { AlertThresholds } from './AlertThresholds.js';
import type { CommandAnalysis } from './CommandAnalyzer.js';
import type { CommandExecution } from './CommandTracker.js';
import type { DiscordProvider, DiscordSnapshot } from './DiscordSampler.js';
import type { ErrorRateSnapshot } from './ErrorRateMonitor.js';
import type { FleetMerge } from './fleetWindows.js';
import type { HealthScores } from './HealthScorer.js';
import type { ProcessSampler, ProcessSnapshot } from './ProcessSampler.js';
import type { Recommendation } from './Recommendations.js';
import type { RestResponseInfo } from './RestLatencyTracker.js';
import type { SystemSampler, SystemSnapshot } from './SystemSampler.js';
import type { Trend } from './TrendAnalyzer.js';

export type ReportChannel = 'performance' | 'diagnostics';
export type MonitorJob = 'system' | 'process' | 'discord' | 'memory' | 'errors' | 'commands' | 'health';
export const MONITOR_JOBS: readonly MonitorJob[] = ['system', 'process', 'discord', 'memory', 'errors', 'commands', 'health'];

/** Where the monitor's alerts and reports go: `(channel, input) => container.reporter.enqueue(channel, input)`. */
export type MonitorReport = (channel: ReportChannel, input: ReportEventInput) => void;

/** What the Monitor pushes into the metrics registry (MetricsRegistry implements it). */
export interface MonitorMetricsSink {
	observeSystem(snapshot: SystemSnapshot): void;
	observeProcess(snapshot: ProcessSnapshot): void;
	observeDiscord(snapshot: DiscordSnapshot): void;
	observeHealth(scores: HealthScores, active: readonly ActiveAlert[]): void;
	recordCommand(execution: CommandExecution): void;
	recordRest(info: RestResponseInfo): void;
	recordRestFailure(routeClass?: string): void;
	recordError(source: string): void;
}

export interface MonitorOptions {
	/** Where alerts and reports go: `(channel, input) => container.reporter.enqueue(channel, input)`. */
	report: MonitorReport;
	thresholds?: AlertThresholds;
	/** ALERT_REPEAT_MINUTES in ms; 0 = alerts never repeat. */
	repeatMs?: number;
	/** Hysteresis for recoveries (relative). Default 0.1. */
	marginRatio?: number;
	/** Interval of each job, ms: sizes the history (last `historyMinutes` at each interval) and drives local timers. */
	intervals?: Partial<Record<MonitorJob, number>>;
	/** Jobs the service runs itself on unref'd local timers (per-process jobs); the rest are called by scheduled tasks. */
	localTimers?: readonly MonitorJob[];
	historyMinutes?: number;
	discord?: DiscordProvider;
	metrics?: MonitorMetricsSink;
	/** Filesystems whose usage is watched (e.g. '/', the data directory). */
	diskPaths?: string[];
	eventLoopResolutionMs?: number;
	/** Window of the REST p50/p95 (default 5 min); shorter makes latency alerts recover sooner. */
	restWindowMs?: number;
	/** Identifies this process in reports (e.g. "shard 0" or the pid). */
	instance?: string;
	/**
	 * The whole fleet, when this process is one shard of several (lib/fleet: fleetHealth(FleetService.latest)).
	 * The health report then scores shards ready and gateway latency over every shard, and carries the per-shard view.
	 */
	fleet?: () => FleetHealth | undefined;
	/**
	 * Sharded: the other processes' windows (lib/fleet/FleetWindows). The errors, commands and system
	 * jobs run on one process per tick, so they merge every process's figures before judging; the
	 * system sample then also runs on each process's own timer (without alerts), so every machine has one.
	 */
	fleetMerge?: FleetMerge;
	/** This machine's name in fleet-wide system alerts (default: the host name). */
	machine?: string;
	now?: () => number;
	/** Injectable samplers (tests, other platforms). */
	systemSampler?: SystemSampler;
	processSampler?: ProcessSampler;
}

/** What the health report needs from the fleet view (plain data, so monitoring does not depend on Redis). */
export interface FleetHealth {
	shardCount: number;
	shardsReady: number;
	worstLatencyMs: number | null;
	worstShard: number | null;
	/** One readable line for the summary. */
	line: string;
	/** Per-shard latency/status and fleet totals, as they go into the report's data. */
	details: Record<string, unknown>;
}

export interface SystemPoint {
	t: number;
	cpuPercent: number;
	memoryPercent: number;
	loadPerCore: number;
	diskPercent: number;
	rxBytesPerSec: number;
	txBytesPerSec: number;
}

export interface ProcessPoint {
	t: number;
	rssMB: number;
	heapUsedMB: number;
	eventLoopP99Ms: number;
	eventLoopMaxMs: number;
	eventLoopUtilization: number;
	cpuPercentOfCore: number;
	gcPauseMs: number;
}

export interface DiscordPoint {
	t: number;
	gatewayLatencyMs: number | null;
	restP95Ms: number | null;
	guilds: number;
	users: number;
	commandsPerMinute: number;
	shardsReady: number;
}

export interface HealthPoint {
	t: number;
	overall: number;
	cpu: number | null;
	memory: number | null;
	network: number | null;
	discord: number | null;
}

export interface MonitorHistory {
	system: SystemPoint[];
	process: ProcessPoint[];
	discord: DiscordPoint[];
	health: HealthPoint[];
}

export interface MemoryCheck {
	at: number;
	memory: SystemSnapshot['memory'];
	rssBytes: number;
	heapUsedBytes: number;
	heapLimitBytes: number;
	heapPercentOfLimit: number;
	heapTrend: Trend;
	alerts: AlertEvent[];
}

export interface HealthReport {
	event: 'health.report';
	timestamp: string;
	data: {
		/** Readable paragraph (level, scores, trends, top recommendations): what an embed shows first. */
		summary: string;
		instance: string | null;
		/** null (level 'No data') before anything was sampled. */
		overall: { score: number | null; level: string };
		components: HealthScores['components'];
		trends: Record<string, Trend['direction']>;
		trendDetails: Record<string, { slopePerMinute: number; relativeChange: number; points: number }>;
		recommendations: Recommendation[];
		activeAlerts: ActiveAlert[];
		samples: Record<string, number | string | null>;
		/** Per-shard status and fleet totals (sharded runs); null for a single process. */
		fleet?: Record<string, unknown> | null;
	};
}

/** Rounds for reports: JSON numbers only (NaN becomes null). */
export const round = (value: number | null | undefined, digits = 1): number | null => (value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));
export const MB = 1024 * 1024;

/** The latest result of each job (`monitor.latest`). */
export interface MonitorLatest {
	system?: SystemSnapshot;
	process?: ProcessSnapshot;
	discord?: DiscordSnapshot;
	errors?: ErrorRateSnapshot;
	commands?: CommandAnalysis;
	memory?: MemoryCheck;
	health?: HealthReport;
}
