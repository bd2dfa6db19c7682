import v8 from 'node:v8';
import os from 'node:os';
import type { Service } from '#lib/ServiceRegistry.js';
import type { ActiveAlert, AlertManager, AlertSample } from './AlertManager.js';
import { DEFAULT_THRESHOLDS } from './AlertThresholds.js';
import { CommandAnalyzer, type CommandAnalysis } from './CommandAnalyzer.js';
import { CommandTracker } from './CommandTracker.js';
import { DiscordSampler, type DiscordProvider, type DiscordSnapshot } from './DiscordSampler.js';
import { ErrorRateMonitor, type ErrorRateSnapshot } from './ErrorRateMonitor.js';
import type { FleetMerge, MachineReading } from './fleetWindows.js';
import { HealthReportBuilder } from './healthReport.js';
import type { HealthScorer } from './HealthScorer.js';
import { machineReading, memoryReading, systemAlertSample } from './machineReadings.js';
import { MonitorAlerts } from './MonitorAlerts.js';
import { DEFAULT_INTERVALS } from './monitorConfig.js';
import { MonitorHistoryBuffer } from './MonitorHistoryBuffer.js';
import { commandAnalysisEvent, healthReportEvent } from './monitorReportEvents.js';
import { MonitorSchedule } from './MonitorSchedule.js';
import type { HealthReport, MemoryCheck, MonitorHistory, MonitorJob, MonitorLatest, MonitorMetricsSink, MonitorOptions } from './monitorTypes.js';
import { ProcessSampler, type ProcessSnapshot } from './ProcessSampler.js';
import { RestLatencyTracker } from './RestLatencyTracker.js';
import { SystemSampler, type SystemSnapshot } from './SystemSampler.js';


/**
 * `container.monitor`: the bot watching itself. Coordinates the samplers, the latest snapshots, the
 * bounded history (MonitorHistoryBuffer), alerts (MonitorAlerts), health reports (HealthReportBuilder)
 * and the job schedule (MonitorSchedule). Each job method samples, feeds the metrics registry,
 * evaluates alerts (reported at once through `report`) and returns what it measured. Per-process
 * jobs (system, process, memory) can run on the service's own timers (`localTimers`), because a
 * shared BullMQ repeatable runs once for the whole fleet.
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
	public readonly latest: MonitorLatest = {};

	private readonly report: MonitorOptions['report'];
	private readonly metrics: MonitorMetricsSink | undefined;
	private readonly now: () => number;
	private readonly instance: string | null;
	private readonly fleet: MonitorOptions['fleet'];
	private readonly fleetMerge: FleetMerge | undefined;
	private readonly machine: string;
	private readonly analyzer = new CommandAnalyzer();
	private readonly alerting: MonitorAlerts;
	private readonly healthReports: HealthReportBuilder;
	private readonly historyBuffer: MonitorHistoryBuffer;
	private readonly schedule: MonitorSchedule;
	private discordSampler: DiscordSampler | undefined;
	private startedAt: number | null = null;

	public constructor(options: MonitorOptions) {
		this.report = options.report;
		this.metrics = options.metrics;
		this.now = options.now ?? Date.now;
		const intervals = { ...DEFAULT_INTERVALS, ...options.intervals };
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
		this.alerting = new MonitorAlerts({ thresholds, repeatMs: options.repeatMs, marginRatio: options.marginRatio, report: this.report, instance: this.instance, fleetMerge: this.fleetMerge, now: this.now });
		this.alerts = this.alerting.manager;
		this.healthReports = new HealthReportBuilder(thresholds);
		this.scorer = this.healthReports.scorer;
		this.historyBuffer = new MonitorHistoryBuffer(intervals, options.historyMinutes);
		this.schedule = new MonitorSchedule({
			intervals,
			localTimers: options.localTimers ?? [],
			jobs: {
				system: () => this.sampleSystem({ acrossFleet: true }),
				process: () => this.sampleProcess(),
				discord: () => this.sampleDiscord(),
				memory: () => this.checkMemory(),
				errors: async () => {
					const merged = this.fleetMerge ? await this.fleetMerge.errors(this.errors.snapshot()) : undefined;
					await this.alerting.withFleetState(['errorRate'], () => this.checkErrors(merged));
				},
				commands: async () => {
					const merged = this.fleetMerge ? await this.fleetMerge.commands(this.commands.takeWindow()) : undefined;
					await this.alerting.withFleetState(['responseTime'], () => this.analyzeCommands(merged));
				},
				health: () => this.healthReport()
			},
			// Sharded, the local system timer only samples (for this machine's published reading); the fleet job alerts.
			localTick: this.fleetMerge ? { system: () => void this.sampleSystem({ alert: false }).catch(() => undefined) } : undefined,
			onError: (job, error) =>
				this.report('diagnostics', { event: 'monitor.error', severity: 'WARNING', data: { job, error: String((error as Error)?.message ?? error).slice(0, 300) } })
		});
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
		this.schedule.startTimers();
	}

	public stop(): void {
		this.schedule.stopTimers();
		this.process.stop();
		this.startedAt = null;
	}

	/** Runs one job by name, never throwing (for timers and scheduled tasks); overlapping runs are skipped. */
	public runJob(job: MonitorJob): Promise<void> {
		return this.schedule.run(job);
	}

	/**
	 * Samples this machine. `alert: false` only records it (sharded local timer); `acrossFleet` (the
	 * fleet-wide job) judges the worst machine among every machine's latest reading.
	 */
	public async sampleSystem(options: { alert?: boolean; acrossFleet?: boolean } = {}): Promise<SystemSnapshot> {
		const snapshot = await this.system.sample();
		this.latest.system = snapshot;
		this.historyBuffer.recordSystem(snapshot);
		this.metrics?.observeSystem(snapshot);
		if (options.alert === false) return snapshot;
		const own = this.machineReading(snapshot)!;
		const machines = options.acrossFleet && this.fleetMerge ? await this.fleetMerge.machines(own) : [own];
		const sample = systemAlertSample(machines);
		// Memory stays per process: every process's own memory watch judges it too.
		await this.alerting.withFleetState(options.acrossFleet ? ['cpu', 'disk'] : [], () => this.alerting.emit(sample));
		return snapshot;
	}

	/** This machine's latest system sample as the fleet compares machines (undefined before the first sample). */
	public machineReading(snapshot = this.latest.system): MachineReading | undefined {
		return snapshot ? machineReading(snapshot, this.machine) : undefined;
	}

	public async sampleProcess(): Promise<ProcessSnapshot> {
		const snapshot = await this.process.sample();
		this.latest.process = snapshot;
		this.historyBuffer.recordProcess(snapshot);
		this.metrics?.observeProcess(snapshot);
		this.alerting.emit({ eventLoop: { value: snapshot.eventLoop.delayP99Ms, detail: `max ${Math.round(snapshot.eventLoop.delayMaxMs)} ms` } });
		return snapshot;
	}

	/** Undefined until a Discord provider is set. */
	public sampleDiscord(): DiscordSnapshot | undefined {
		if (!this.discordSampler) return undefined;
		const snapshot = this.discordSampler.sample();
		this.latest.discord = snapshot;
		const restP95 = snapshot.rest.count >= 3 ? snapshot.rest.p95Ms : null;
		this.historyBuffer.recordDiscord(snapshot, restP95);
		this.metrics?.observeDiscord(snapshot);

		// Network latency: the worse of the gateway heartbeat and the REST p95 (when there were enough requests).
		const gateway = snapshot.gatewayLatencyMs.max;
		let latency: AlertSample['networkLatency'];
		if (gateway !== null && (restP95 === null || gateway >= restP95)) latency = { value: gateway, detail: `gateway, shard ${snapshot.gatewayLatencyMs.worstShard}` };
		else if (restP95 !== null) latency = { value: restP95, detail: `REST p95 over ${snapshot.rest.count} requests` };
		const reachability = snapshot.rest.reachability;
		this.alerting.emit({
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
		const heapTrend = this.historyBuffer.heapTrend();
		const alerts = this.alerting.emit({ memory: memoryReading(memory) });
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
		this.alerting.emit({ errorRate: { value: snapshot.perMinute, detail: top ? `mostly ${top[0]}` : undefined } });
		return snapshot;
	}

	/** Closes the command window, reports it to Performance when commands ran, and checks response time. */
	public analyzeCommands(window = this.commands.takeWindow()): CommandAnalysis {
		const analysis = this.analyzer.analyze(window);
		this.latest.commands = analysis;
		// Response time: the worst p95 among commands with enough runs to mean something; an idle window reads 0.
		const worst = analysis.commands.filter((entry) => entry.runs >= 3).sort((a, b) => b.p95Ms - a.p95Ms)[0];
		this.alerting.emit({ responseTime: worst ? { value: worst.p95Ms, detail: `/${worst.command}` } : 0 });
		if (analysis.totals.runs > 0) this.report('performance', commandAnalysisEvent(analysis, this.instance));
		return analysis;
	}

	/** Scores, levels, trends and recommendations from the latest samples; reported to Performance with the JSON attached. */
	public healthReport(options: { emit?: boolean } = {}): HealthReport {
		const report = this.buildHealthReport();
		this.latest.health = report;
		this.historyBuffer.recordHealth(report);
		if (options.emit !== false) this.report('performance', healthReportEvent(report));
		return report;
	}

	/** Builds the health report without recording or sending it (for `/nexus health`). */
	public buildHealthReport(): HealthReport {
		const fleet = this.fleet?.();
		const trends = this.historyBuffer.metricTrends();
		const activeAlerts = this.alerts.active();
		const { report, scores } = this.healthReports.build({ latest: this.latest, fleet, trends, activeAlerts, instance: this.instance, now: this.now() });
		this.metrics?.observeHealth(scores, activeAlerts);
		return report;
	}

	/** Bounded rolling history for the dashboard charts (oldest first). */
	public history(): MonitorHistory {
		return this.historyBuffer.snapshot();
	}

	public activeAlerts(): ActiveAlert[] {
		return this.alerts.active();
	}

	/** For the /api/metrics "modules" group. */
	public status(): { startedAt: number | null; enabled: boolean; errorCount: number; details: Record<string, unknown> } {
		return {
			startedAt: this.startedAt,
			enabled: this.startedAt !== null,
			errorCount: this.schedule.errorCount,
			details: {
				activeAlerts: this.alerts.active().length,
				localTimers: [...this.schedule.localTimers],
				eventLoopResolutionMs: this.process.resolutionMs,
				historyPoints: this.historyBuffer.points
			}
		};
	}
}
