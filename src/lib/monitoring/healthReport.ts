import type { ActiveAlert } from './AlertManager.js';
import type { AlertThresholds } from './AlertThresholds.js';
import { healthSummary } from './healthSummary.js';
import { HealthScorer, type HealthInputs, type HealthScores } from './HealthScorer.js';
import { Recommendations } from './Recommendations.js';
import type { Trend } from './TrendAnalyzer.js';
import { MB, round, type FleetHealth, type HealthReport, type MonitorLatest } from './monitorTypes.js';

export interface HealthReportInput {
	latest: MonitorLatest;
	/** The fleet view (sharded runs). */
	fleet: FleetHealth | undefined;
	/** Trends over the monitor's history. */
	trends: Record<string, Trend>;
	activeAlerts: ActiveAlert[];
	instance: string | null;
	now: number;
}

/** Assembles health reports: scores, levels, trends and recommendations from the latest samples. */
export class HealthReportBuilder {
	public readonly scorer: HealthScorer;
	private readonly recommendations: Recommendations;

	public constructor(thresholds: AlertThresholds) {
		this.scorer = new HealthScorer(thresholds);
		this.recommendations = new Recommendations(thresholds);
	}

	/** The report and the scores it was built from. */
	public build(input: HealthReportInput): { report: HealthReport; scores: HealthScores } {
		const { system, process: proc, discord, errors, commands } = input.latest;
		const { fleet, trends } = input;
		const restP95 = discord && discord.rest.count >= 3 ? discord.rest.p95Ms : undefined;
		// Sharded: shards ready and gateway latency are the fleet's, not just this process's.
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
		const recommendations = this.recommendations.build({ system, process: proc, discord, commands, errors, trends });
		const data: Omit<HealthReport['data'], 'summary'> = {
			instance: input.instance,
			overall: scores.overall,
			components: scores.components,
			trends: Object.fromEntries(Object.entries(trends).map(([name, trend]) => [name, trend.direction])),
			trendDetails: Object.fromEntries(
				Object.entries(trends).map(([name, trend]) => [name, { slopePerMinute: round(trend.slopePerMinute, 3) ?? 0, relativeChange: round(trend.relativeChange, 3) ?? 0, points: trend.points }])
			),
			recommendations,
			activeAlerts: input.activeAlerts,
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
		return { report: { event: 'health.report', timestamp: new Date(input.now).toISOString(), data: { summary, ...data } }, scores };
	}
}
