import v8 from 'node:v8';
import os from 'node:os';
import type { Config } from '#root/config.js';
import type { ReportEventInput, Severity } from '#lib/reporting/ReportEvent.js';
import type { Service } from '#lib/ServiceRegistry.js';
import { AlertManager, type ActiveAlert, type AlertEvent, type AlertKey, type AlertSample } from './AlertManager.js';
import { DEFAULT_THRESHOLDS, thresholdsFromConfig, type AlertThresholds } from './AlertThresholds.js';
import { CommandAnalyzer, type CommandAnalysis } from './CommandAnalyzer.js';
import { CommandTracker, type CommandExecution } from './CommandTracker.js';
import { DiscordSampler, type DiscordProvider, type DiscordSnapshot } from './DiscordSampler.js';
import { ErrorRateMonitor, type ErrorRateSnapshot } from './ErrorRateMonitor.js';
import type { FleetMerge, MachineReading } from './fleetWindows.js';
import { healthSummary } from './healthEmbed.js';
import { HealthScorer, type HealthInputs, type HealthScores } from './HealthScorer.js';
import { ProcessSampler, type ProcessSnapshot } from './ProcessSampler.js';
import { Recommendations, type Recommendation } from './Recommendations.js';
import { RestLatencyTracker, type RestResponseInfo } from './RestLatencyTracker.js';
import { RingBuffer } from './RingBuffer.js';
import { SystemSampler, type SystemSnapshot } from './SystemSampler.js';
import { TrendAnalyzer, type Trend, type TrendPoint } from './TrendAnalyzer.js';

export type ReportChannel = 'performance' | 'diagnostics';
export type MonitorJob = 'system' | 'process' | 'discord' | 'memory' | 'errors' | 'commands' | 'health';
export const MONITOR_JOBS: readonly MonitorJob[] = ['system', 'process', 'discord', 'memory', 'errors', 'commands', 'health'];

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
	report: (channel: ReportChannel, input: ReportEventInput) => void;
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

export interface MonitorHistory {
	system: SystemPoint[];
	process: ProcessPoint[];
	discord: DiscordPoint[];
	health: { t: number; overall: number; cpu: number | null; memory: number | null; network: number | null; discord: number | null }[];
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
const round = (value: number | null | undefined, digits = 1): number | null => (value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));
const MB = 1024 * 1024;
/** Per-metric dead bands: absolute floors stop tiny moves of small numbers from reading as trends. */
const TREND_OPTIONS = {
	cpuPercent: { minAbsoluteChange: 5 },
	memoryPercent: { minAbsoluteChange: 2 },
	heapUsedMB: { minAbsoluteChange: 10 },
	rssMB: { minAbsoluteChange: 10 },
	eventLoopP99Ms: { minAbsoluteChange: 10 },
	gatewayLatencyMs: { minAbsoluteChange: 20 },
	restP95Ms: { minAbsoluteChange: 20 }
};

/**
 * `container.monitor`: the bot watching itself. Holds the samplers, the latest snapshots, a bounded
 * history for the dashboard, and the pure scoring/trend/alert logic. Each job method samples,
 * feeds the metrics registry, evaluates alerts (reported at once through `report`) and returns
 * what it measured. Per-process jobs (system, process, memory) can run on the service's own
 * timers (`localTimers`), because a shared BullMQ repeatable runs once for the whole fleet.
 */
export class Monitor implements Service {
	public readonly name = 'monitor';
	public readonly system: SystemSampler;
	public readonly process: ProcessSampler;
	/** Hook into discord.js with `attachToRest(client.rest, monitor.rest)`. */
	public readonly rest: RestLatencyTracker;
	/** Feed from the logger sink: `monitor.recordError(source, message)`. */
	public readonly errors: ErrorRateMonitor;
	/** Feed from the command listeners: `monitor.commands.begin(...)` / `finish(...)`. */
	public readonly commands: CommandTracker;
	public readonly alerts: AlertManager;
	public readonly scorer: HealthScorer;

	private readonly report: MonitorOptions['report'];
	private readonly metrics: MonitorMetricsSink | undefined;
	private readonly now: () => number;
	private readonly intervals: Record<MonitorJob, number>;
	private readonly localTimers: readonly MonitorJob[];
	private readonly instance: string | null;
	private readonly fleet: MonitorOptions['fleet'];
	private readonly fleetMerge: FleetMerge | undefined;
	private readonly machine: string;
	private readonly analyzer = new CommandAnalyzer();
	private readonly trends = new TrendAnalyzer(TREND_OPTIONS);
	private readonly recommendations: Recommendations;
	private discordSampler: DiscordSampler | undefined;
	private readonly systemHistory: RingBuffer<SystemPoint>;
	private readonly processHistory: RingBuffer<ProcessPoint>;
	private readonly discordHistory: RingBuffer<DiscordPoint>;
	private readonly healthHistory: RingBuffer<MonitorHistory['health'][number]>;
	private readonly timers: NodeJS.Timeout[] = [];
	private readonly running = new Set<MonitorJob>();
	private startedAt: number | null = null;
	private jobErrors = 0;

	public readonly latest: {
		system?: SystemSnapshot;
		process?: ProcessSnapshot;
		discord?: DiscordSnapshot;
		errors?: ErrorRateSnapshot;
		commands?: CommandAnalysis;
		memory?: MemoryCheck;
		health?: HealthReport;
	} = {};

	public constructor(options: MonitorOptions) {
		this.report = options.report;
		this.metrics = options.metrics;
		this.now = options.now ?? Date.now;
		this.intervals = { ...DEFAULT_INTERVALS, ...options.intervals };
		this.localTimers = options.localTimers ?? [];
		this.instance = options.instance ?? null;
		this.fleet = options.fleet;
		this.fleetMerge = options.fleetMerge;
		this.machine = options.machine ?? os.hostname();
		const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
		this.system = options.systemSampler ?? new SystemSampler({ diskPaths: options.diskPaths, deps: { now: this.now } });
		this.process = options.processSampler ?? new ProcessSampler({ eventLoopResolutionMs: options.eventLoopResolutionMs, now: this.now });
		this.rest = new RestLatencyTracker({
			now: this.now,
			onResponse: this.metrics ? (info) => this.metrics!.recordRest(info) : undefined,
			onFailure: this.metrics ? (_code, routeClass) => this.metrics!.recordRestFailure(routeClass) : undefined,
			windowMs: options.restWindowMs
		});
		this.errors = new ErrorRateMonitor({ now: this.now });
		this.commands = new CommandTracker({ now: this.now, onExecution: this.metrics ? (execution) => this.metrics!.recordCommand(execution) : undefined });
		this.alerts = new AlertManager({ thresholds, repeatMs: options.repeatMs, marginRatio: options.marginRatio });
		this.scorer = new HealthScorer(thresholds);
		this.recommendations = new Recommendations(thresholds);
		const historyMs = (options.historyMinutes ?? 60) * 60_000;
		const capacity = (job: MonitorJob) => Math.max(2, Math.ceil(historyMs / this.intervals[job]) + 1);
		this.systemHistory = new RingBuffer(capacity('system'));
		this.processHistory = new RingBuffer(capacity('process'));
		this.discordHistory = new RingBuffer(capacity('discord'));
		this.healthHistory = new RingBuffer(capacity('health'));
		if (options.discord) this.setDiscordProvider(options.discord);
	}

	/** The discord.js client adapter; until set, sampleDiscord() returns undefined. */
	public setDiscordProvider(provider: DiscordProvider): void {
		this.discordSampler = new DiscordSampler(provider, this.rest, this.now);
	}

	public async start(): Promise<void> {
		if (this.startedAt !== null) return;
		this.startedAt = this.now();
		this.process.start();
		await this.system.prime().catch(() => undefined);
		for (const job of this.localTimers) {
			// Sharded, the local system timer only samples (for this machine's published reading); the fleet job alerts.
			const tick = job === 'system' && this.fleetMerge ? () => void this.sampleSystem({ alert: false }).catch(() => undefined) : () => void this.runJob(job);
			const timer = setInterval(tick, this.intervals[job]);
			timer.unref();
			this.timers.push(timer);
		}
	}

	public stop(): void {
		for (const timer of this.timers.splice(0)) clearInterval(timer);
		this.process.stop();
		this.startedAt = null;
	}

	/** Runs one job by name, never throwing (for timers and scheduled tasks); overlapping runs are skipped. */
	public async runJob(job: MonitorJob): Promise<void> {
		if (this.running.has(job)) return;
		this.running.add(job);
		try {
			switch (job) {
				case 'system':
					await this.sampleSystem({ acrossFleet: true });
					break;
				case 'process':
					await this.sampleProcess();
					break;
				case 'discord':
					this.sampleDiscord();
					break;
				case 'memory':
					await this.checkMemory();
					break;
				case 'errors': {
					const merged = this.fleetMerge ? await this.fleetMerge.errors(this.errors.snapshot()) : undefined;
					await this.withFleetAlerts(['errorRate'], () => this.checkErrors(merged));
					break;
				}
				case 'commands': {
					const merged = this.fleetMerge ? await this.fleetMerge.commands(this.commands.takeWindow()) : undefined;
					await this.withFleetAlerts(['responseTime'], () => this.analyzeCommands(merged));
					break;
				}
				case 'health':
					this.healthReport();
					break;
			}
		} catch (error) {
			this.jobErrors++;
			this.report('diagnostics', { event: 'monitor.error', severity: 'WARNING', data: { job, error: String((error as Error)?.message ?? error).slice(0, 300) } });
		} finally {
			this.running.delete(job);
		}
	}

	/**
	 * Samples this machine. `alert: false` only records it (sharded local timer); `acrossFleet` (the
	 * fleet-wide job) judges the worst machine among every machine's latest reading.
	 */
	public async sampleSystem(options: { alert?: boolean; acrossFleet?: boolean } = {}): Promise<SystemSnapshot> {
		const snapshot = await this.system.sample();
		this.latest.system = snapshot;
		this.systemHistory.push({
			t: snapshot.at,
			cpuPercent: snapshot.cpu.usagePercent,
			memoryPercent: snapshot.memory.effectivePercent,
			loadPerCore: snapshot.cpu.loadPerCore,
			diskPercent: snapshot.disk.maxUsedPercent,
			rxBytesPerSec: snapshot.network.rxBytesPerSec,
			txBytesPerSec: snapshot.network.txBytesPerSec
		});
		this.metrics?.observeSystem(snapshot);
		if (options.alert === false) return snapshot;
		const own = this.machineReading(snapshot)!;
		const machines = options.acrossFleet && this.fleetMerge ? await this.fleetMerge.machines(own) : [own];
		// One machine: details as before; several: each alert names the machine it is about.
		const named = machines.length > 1;
		const worst = (pick: (reading: MachineReading) => number | null) =>
			machines.reduce<MachineReading | undefined>((found, reading) => (pick(reading) !== null && (!found || pick(reading)! > pick(found)!) ? reading : found), undefined);
		const on = (reading: MachineReading, detail: string) => (named ? `${reading.machine}: ${detail}` : detail);
		const cpu = worst((reading) => reading.cpuPercent);
		const memory = worst((reading) => reading.memoryPercent)!;
		const disk = worst((reading) => reading.diskPercent);
		// Memory stays per process: every process's own memory watch judges it too.
		await this.withFleetAlerts(options.acrossFleet ? ['cpu', 'disk'] : [], () => this.emitAlerts({
			// The first sample has no window: its CPU figure is the since-boot average, not news.
			cpu: cpu ? { value: cpu.cpuPercent!, detail: on(cpu, `load ${cpu.loadPerCore.toFixed(2)} per core`) } : undefined,
			memory: { value: memory.memoryPercent, detail: on(memory, memory.memoryDetail) },
			disk: disk ? { value: disk.diskPercent!, detail: on(disk, disk.diskPath ?? '') } : undefined
		}));
		return snapshot;
	}

	/** This machine's latest system sample as the fleet compares machines (undefined before the first sample). */
	public machineReading(snapshot = this.latest.system): MachineReading | undefined {
		if (!snapshot) return undefined;
		const worstMount = snapshot.disk.mounts.reduce<SystemSnapshot['disk']['mounts'][number] | undefined>((worst, mount) => (!worst || mount.usedPercent > worst.usedPercent ? mount : worst), undefined);
		const memory = memoryReading(snapshot.memory);
		return {
			machine: this.machine,
			at: snapshot.at,
			cpuPercent: snapshot.windowMs > 0 ? snapshot.cpu.usagePercent : null,
			loadPerCore: snapshot.cpu.loadPerCore,
			memoryPercent: memory.value,
			memoryDetail: memory.detail,
			diskPercent: worstMount?.usedPercent ?? null,
			diskPath: worstMount?.path ?? null
		};
	}

	public async sampleProcess(): Promise<ProcessSnapshot> {
		const snapshot = await this.process.sample();
		this.latest.process = snapshot;
		this.processHistory.push({
			t: snapshot.at,
			rssMB: snapshot.memory.rssBytes / MB,
			heapUsedMB: snapshot.memory.heapUsedBytes / MB,
			eventLoopP99Ms: snapshot.eventLoop.delayP99Ms,
			eventLoopMaxMs: snapshot.eventLoop.delayMaxMs,
			eventLoopUtilization: snapshot.eventLoop.utilization,
			cpuPercentOfCore: snapshot.cpuPercentOfCore,
			gcPauseMs: snapshot.gc.pauseMs
		});
		this.metrics?.observeProcess(snapshot);
		this.emitAlerts({ eventLoop: { value: snapshot.eventLoop.delayP99Ms, detail: `max ${Math.round(snapshot.eventLoop.delayMaxMs)} ms` } });
		return snapshot;
	}

	/** Undefined until a Discord provider is set. */
	public sampleDiscord(): DiscordSnapshot | undefined {
		if (!this.discordSampler) return undefined;
		const snapshot = this.discordSampler.sample();
		this.latest.discord = snapshot;
		const restP95 = snapshot.rest.count >= 3 ? snapshot.rest.p95Ms : null;
		this.discordHistory.push({
			t: snapshot.at,
			gatewayLatencyMs: snapshot.gatewayLatencyMs.max,
			restP95Ms: restP95,
			guilds: snapshot.guilds,
			users: snapshot.users,
			commandsPerMinute: snapshot.commandsPerMinute,
			shardsReady: snapshot.shardsReady
		});
		this.metrics?.observeDiscord(snapshot);

		// Network latency: the worse of the gateway heartbeat and the REST p95 (when there were enough requests).
		const gateway = snapshot.gatewayLatencyMs.max;
		let latency: AlertSample['networkLatency'];
		if (gateway !== null && (restP95 === null || gateway >= restP95)) latency = { value: gateway, detail: `gateway, shard ${snapshot.gatewayLatencyMs.worstShard}` };
		else if (restP95 !== null) latency = { value: restP95, detail: `REST p95 over ${snapshot.rest.count} requests` };
		const reachability = snapshot.rest.reachability;
		this.emitAlerts({
			networkLatency: latency,
			discordApi: reachability === 'unknown' ? undefined : { value: reachability === 'unreachable' ? 1 : 0, detail: snapshot.rest.lastFailure?.code }
		});
		return snapshot;
	}

	/** The memory watch: a cheap fresh read of host, container and heap memory, plus the heap trend. */
	public async checkMemory(): Promise<MemoryCheck> {
		const memory = await this.system.sampleMemory();
		const usage = process.memoryUsage();
		const heapLimitBytes = v8.getHeapStatistics().heap_size_limit;
		const heapTrend = this.trends.analyze({ heapUsedMB: this.series(this.processHistory.toArray(), 'heapUsedMB') }).heapUsedMB;
		const alerts = this.emitAlerts({ memory: memoryReading(memory) });
		const check: MemoryCheck = {
			at: this.now(),
			memory,
			rssBytes: usage.rss,
			heapUsedBytes: usage.heapUsed,
			heapLimitBytes,
			heapPercentOfLimit: (usage.heapUsed / heapLimitBytes) * 100,
			heapTrend,
			alerts
		};
		this.latest.memory = check;
		return check;
	}

	/** Records an error for the error-rate monitor (call from the logger sink for error/fatal lines). */
	public recordError(source: string, message = ''): void {
		this.errors.record(source, message);
		this.metrics?.recordError(source);
	}

	/** Judges the error rate of this process, or of the fleet when given the merged snapshot. */
	public checkErrors(snapshot = this.errors.snapshot()): ErrorRateSnapshot {
		this.latest.errors = snapshot;
		const top = Object.entries(snapshot.bySource).sort((a, b) => b[1] - a[1])[0];
		this.emitAlerts({ errorRate: { value: snapshot.perMinute, detail: top ? `mostly ${top[0]}` : undefined } });
		return snapshot;
	}

	/** Closes the command window, reports it to Performance when commands ran, and checks response time. */
	public analyzeCommands(window = this.commands.takeWindow()): CommandAnalysis {
		const analysis = this.analyzer.analyze(window);
		this.latest.commands = analysis;
		// Response time: the worst p95 among commands with enough runs to mean something; an idle window reads 0.
		const worst = analysis.commands.filter((entry) => entry.runs >= 3).sort((a, b) => b.p95Ms - a.p95Ms)[0];
		this.emitAlerts({ responseTime: worst ? { value: worst.p95Ms, detail: `/${worst.command}` } : 0 });
		if (analysis.totals.runs > 0) {
			const failing = analysis.totals.runs >= 5 && analysis.totals.successRate < 95;
			this.report('performance', {
				event: 'commands.analysis',
				severity: failing ? 'WARNING' : 'INFO',
				title: `Commands: ${analysis.totals.runs} runs, ${round(analysis.totals.successRate)}% success${mistakesLine(analysis)}`,
				timestamp: analysis.to,
				data: {
					instance: this.instance,
					window: { from: new Date(analysis.from).toISOString(), to: new Date(analysis.to).toISOString() },
					totals: roundFigures(analysis.totals),
					commands: analysis.commands.map((entry) => ({ ...entry, ...roundFigures(entry) })),
					categories: analysis.categories.map((entry) => ({ ...entry, ...roundFigures(entry) })),
					slowest: analysis.slowest.map((entry) => ({ command: entry.command, p95Ms: round(entry.p95Ms, 0), avgMs: round(entry.avgMs, 0), runs: entry.runs })),
					errorTypes: analysis.errorTypes,
					recentErrors: analysis.recentErrors.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })),
					// Answered ephemerally and not failures: shown so an operator sees e.g. "40 users tried an unknown timezone".
					userMistakes: analysis.userMistakes
				}
			});
		}
		return analysis;
	}

	/** Scores, levels, trends and recommendations from the latest samples; reported to Performance with the JSON attached. */
	public healthReport(options: { emit?: boolean } = {}): HealthReport {
		const report = this.buildHealthReport();
		this.latest.health = report;
		// Nothing sampled yet: no point in the history (a 100 there would be invented).
		if (report.data.overall.score !== null) this.healthHistory.push({
			t: Date.parse(report.timestamp),
			overall: report.data.overall.score,
			cpu: report.data.components.cpu?.score ?? null,
			memory: report.data.components.memory?.score ?? null,
			network: report.data.components.network?.score ?? null,
			discord: report.data.components.discord?.score ?? null
		});
		if (options.emit !== false) {
			const score = report.data.overall.score;
			const severity: Severity = score !== null && score < 50 ? 'WARNING' : 'INFO';
			this.report('performance', {
				event: report.event,
				severity,
				title: score === null ? 'Health: no data yet' : `Health ${report.data.overall.level} (${score}/100)`,
				timestamp: report.timestamp,
				data: report.data as unknown as Record<string, unknown>,
				files: [{ name: `health-report-${report.timestamp.replace(/[:.]/g, '-')}.json`, data: Buffer.from(JSON.stringify(report, null, 2)) }]
			});
		}
		return report;
	}

	/** Builds the health report without recording or sending it (for `/nexus health`). */
	public buildHealthReport(): HealthReport {
		const { system, process: proc, discord, errors, commands } = this.latest;
		const restP95 = discord && discord.rest.count >= 3 ? discord.rest.p95Ms : undefined;
		// Sharded: shards ready and gateway latency are the fleet's, not just this process's.
		const fleet = this.fleet?.();
		const ownLatency = discord?.gatewayLatencyMs.max ?? null;
		const gatewayLatencyMs = fleet && fleet.worstLatencyMs !== null && (ownLatency === null || fleet.worstLatencyMs > ownLatency) ? fleet.worstLatencyMs : ownLatency;
		const inputs: HealthInputs = {
			cpuPercent: system && system.windowMs > 0 ? system.cpu.usagePercent : undefined,
			loadPerCore: system?.cpu.loadPerCore,
			eventLoopP99Ms: proc?.eventLoop.delayP99Ms,
			memoryPercent: system?.memory.effectivePercent,
			heapPercentOfLimit: proc?.memory.heapPercentOfLimit,
			swapPercent: system?.memory.swapPercent,
			gatewayLatencyMs: gatewayLatencyMs ?? undefined,
			restP95Ms: restP95,
			apiReachability: discord?.rest.reachability,
			shardsReady: fleet ? fleet.shardsReady : discord?.shardsReady,
			shardCount: fleet ? fleet.shardCount : discord?.shardCount,
			commandSuccessRate: commands && commands.totals.runs >= 5 ? commands.totals.successRate : undefined,
			commandP95Ms: commands && commands.totals.runs >= 3 ? commands.totals.p95Ms : undefined,
			errorsPerMinute: errors?.perMinute
		};
		const scores = this.scorer.score(inputs);
		const systemPoints = this.systemHistory.toArray();
		const processPoints = this.processHistory.toArray();
		const discordPoints = this.discordHistory.toArray();
		const trends = this.trends.analyze({
			cpuPercent: this.series(systemPoints, 'cpuPercent'),
			memoryPercent: this.series(systemPoints, 'memoryPercent'),
			heapUsedMB: this.series(processPoints, 'heapUsedMB'),
			rssMB: this.series(processPoints, 'rssMB'),
			eventLoopP99Ms: this.series(processPoints, 'eventLoopP99Ms'),
			gatewayLatencyMs: this.series(discordPoints, 'gatewayLatencyMs'),
			restP95Ms: this.series(discordPoints, 'restP95Ms')
		});
		const recommendations = this.recommendations.build({ system, process: proc, discord, commands, errors, trends });
		const activeAlerts = this.alerts.active();
		this.metrics?.observeHealth(scores, activeAlerts);
		const now = this.now();
		const data: Omit<HealthReport['data'], 'summary'> = {
			instance: this.instance,
			overall: scores.overall,
			components: scores.components,
			trends: Object.fromEntries(Object.entries(trends).map(([name, trend]) => [name, trend.direction])),
			trendDetails: Object.fromEntries(
				Object.entries(trends).map(([name, trend]) => [name, { slopePerMinute: round(trend.slopePerMinute, 3) ?? 0, relativeChange: round(trend.relativeChange, 3) ?? 0, points: trend.points }])
			),
			recommendations,
			activeAlerts,
			samples: {
				cpuPercent: round(system?.cpu.usagePercent),
				loadPerCore: round(system?.cpu.loadPerCore, 2),
				memoryPercent: round(system?.memory.effectivePercent),
				swapPercent: round(system?.memory.swapPercent),
				diskPercent: round(system?.disk.maxUsedPercent),
				rssMB: round(proc ? proc.memory.rssBytes / MB : undefined),
				heapUsedMB: round(proc ? proc.memory.heapUsedBytes / MB : undefined),
				heapPercentOfLimit: round(proc?.memory.heapPercentOfLimit),
				eventLoopP50Ms: round(proc?.eventLoop.delayP50Ms),
				eventLoopP99Ms: round(proc?.eventLoop.delayP99Ms),
				eventLoopMaxMs: round(proc?.eventLoop.delayMaxMs),
				eventLoopUtilization: round(proc?.eventLoop.utilization, 3),
				gcPauseMs: round(proc?.gc.pauseMs),
				gatewayLatencyMs: round(gatewayLatencyMs, 0),
				restP50Ms: round(discord?.rest.p50Ms, 0),
				restP95Ms: round(discord?.rest.p95Ms, 0),
				apiReachability: discord?.rest.reachability ?? null,
				shards: fleet ? `${fleet.shardsReady}/${fleet.shardCount} ready (fleet)` : discord ? `${discord.shardsReady}/${discord.shardCount} ready` : null,
				guilds: discord?.guilds ?? null,
				users: discord?.users ?? null,
				commandRuns: commands?.totals.runs ?? null,
				commandSuccessRate: round(commands?.totals.successRate),
				commandP95Ms: round(commands?.totals.p95Ms, 0),
				errorsPerMinute: round(errors?.perMinute, 2)
			},
			fleet: fleet?.details ?? null
		};
		const summary = fleet ? `${healthSummary(data)}\n${fleet.line}` : healthSummary(data);
		return { event: 'health.report', timestamp: new Date(now).toISOString(), data: { summary, ...data } };
	}

	/** Bounded rolling history for the dashboard charts (oldest first). */
	public history(): MonitorHistory {
		return { system: this.systemHistory.toArray(), process: this.processHistory.toArray(), discord: this.discordHistory.toArray(), health: this.healthHistory.toArray() };
	}

	public activeAlerts(): ActiveAlert[] {
		return this.alerts.active();
	}

	/** For the /api/metrics "modules" group. */
	public status(): { startedAt: number | null; enabled: boolean; errorCount: number; details: Record<string, unknown> } {
		return {
			startedAt: this.startedAt,
			enabled: this.startedAt !== null,
			errorCount: this.jobErrors,
			details: { activeAlerts: this.alerts.active().length, localTimers: [...this.localTimers], eventLoopResolutionMs: this.process.resolutionMs, historyPoints: this.systemHistory.size + this.processHistory.size + this.discordHistory.size }
		};
	}

	private series<P extends { t: number }>(points: P[], key: keyof P): TrendPoint[] {
		const out: TrendPoint[] = [];
		for (const point of points) {
			const value = point[key];
			if (typeof value === 'number' && Number.isFinite(value)) out.push({ t: point.t, v: value });
		}
		return out;
	}

	/**
	 * Runs a fleet-wide judgement with the fleet's alert state of `keys` (kept in Redis by FleetWindows):
	 * the process that runs this tick continues where the previous one left off. Alone, or when the
	 * state cannot be read, this process's own state is used.
	 */
	private async withFleetAlerts<T>(keys: readonly AlertKey[], judge: () => T): Promise<T> {
		if (!this.fleetMerge || keys.length === 0) return judge();
		const states = await this.fleetMerge.loadAlerts(keys);
		if (states) this.alerts.importStates(states);
		const result = judge();
		await this.fleetMerge.saveAlerts(this.alerts.exportStates(keys));
		return result;
	}

	private emitAlerts(sample: AlertSample): AlertEvent[] {
		const events = this.alerts.evaluate(sample, this.now());
		for (const alert of events) {
			this.report(alert.channel, {
				event: `alert.${alert.key}`,
				severity: alert.level,
				title: alert.kind === 'recovered' ? `Recovered: ${alert.label}` : `${alert.level === 'CRITICAL' ? 'Critical' : 'Warning'}: ${alert.label}`,
				timestamp: alert.at,
				data: {
					message: alert.message,
					kind: alert.kind,
					value: round(alert.value, 2),
					threshold: round(alert.threshold, 2),
					unit: alert.unit,
					detail: alert.detail ?? null,
					since: new Date(alert.since).toISOString(),
					durationMinutes: round(alert.durationMs / 60_000, 1),
					instance: this.instance
				}
			});
		}
		return events;
	}
}

/** The memory alert reading: which limit is the tight one goes into the message. */
function memoryReading(memory: SystemSnapshot['memory']): { value: number; detail: string } {
	const ofLimit = memory.limitBytes !== null && (memory.rssPercentOfLimit ?? 0) >= memory.usedPercent;
	return { value: memory.effectivePercent, detail: ofLimit ? 'of the container limit' : 'of host memory' };
}

function roundFigures(figures: { successRate: number; avgMs: number; p95Ms: number; maxMs: number }) {
	return { successRate: round(figures.successRate), avgMs: round(figures.avgMs, 0), p95Ms: round(figures.p95Ms, 0), maxMs: round(figures.maxMs, 0) };
}

declare module '@sapphire/pieces' {
	interface Container {
		monitor: Monitor;
	}
}

/** ", 12 user mistakes (GuildStatsInvalidTimezone ×9, …)" for the command report's title, or nothing. */
function mistakesLine(analysis: CommandAnalysis): string {
	const total = analysis.userMistakes.reduce((sum, entry) => sum + entry.count, 0);
	if (total === 0) return '';
	const top = analysis.userMistakes.slice(0, 3).map((entry) => `${entry.identifier} ×${entry.count}`);
	return `, ${total} user mistake${total === 1 ? '' : 's'} (${top.join(', ')}${analysis.userMistakes.length > 3 ? ', …' : ''})`;
}
