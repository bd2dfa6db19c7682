import type { DiscordSnapshot } from './DiscordSampler.js';
import type { ProcessSnapshot } from './ProcessSampler.js';
import { RingBuffer } from './RingBuffer.js';
import type { SystemSnapshot } from './SystemSampler.js';
import { TrendAnalyzer, type Trend, type TrendPoint } from './TrendAnalyzer.js';
import { MB, type DiscordPoint, type HealthPoint, type HealthReport, type MonitorHistory, type MonitorJob, type ProcessPoint, type SystemPoint } from './monitorTypes.js';

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
 * The monitor's bounded rolling history (the dashboard charts) and the trends read from it. Each
 * buffer holds the last `historyMinutes` at its job's interval.
 */
export class MonitorHistoryBuffer {
	private readonly trends = new TrendAnalyzer(TREND_OPTIONS);
	private readonly system: RingBuffer<SystemPoint>;
	private readonly process: RingBuffer<ProcessPoint>;
	private readonly discord: RingBuffer<DiscordPoint>;
	private readonly health: RingBuffer<HealthPoint>;

	public constructor(intervals: Record<MonitorJob, number>, historyMinutes = 60) {
		const historyMs = historyMinutes * 60_000;
		const capacity = (job: MonitorJob) => Math.max(2, Math.ceil(historyMs / intervals[job]) + 1);
		this.system = new RingBuffer(capacity('system'));
		this.process = new RingBuffer(capacity('process'));
		this.discord = new RingBuffer(capacity('discord'));
		this.health = new RingBuffer(capacity('health'));
	}

	public recordSystem(snapshot: SystemSnapshot): void {
		this.system.push({
			t: snapshot.at,
			cpuPercent: snapshot.cpu.usagePercent,
			memoryPercent: snapshot.memory.effectivePercent,
			loadPerCore: snapshot.cpu.loadPerCore,
			diskPercent: snapshot.disk.maxUsedPercent,
			rxBytesPerSec: snapshot.network.rxBytesPerSec,
			txBytesPerSec: snapshot.network.txBytesPerSec
		});
	}

	public recordProcess(snapshot: ProcessSnapshot): void {
		this.process.push({
			t: snapshot.at,
			rssMB: snapshot.memory.rssBytes / MB,
			heapUsedMB: snapshot.memory.heapUsedBytes / MB,
			eventLoopP99Ms: snapshot.eventLoop.delayP99Ms,
			eventLoopMaxMs: snapshot.eventLoop.delayMaxMs,
			eventLoopUtilization: snapshot.eventLoop.utilization,
			cpuPercentOfCore: snapshot.cpuPercentOfCore,
			gcPauseMs: snapshot.gc.pauseMs
		});
	}

	/** `restP95Ms`: the REST p95 when there were enough requests to mean something, else null. */
	public recordDiscord(snapshot: DiscordSnapshot, restP95Ms: number | null): void {
		this.discord.push({
			t: snapshot.at,
			gatewayLatencyMs: snapshot.gatewayLatencyMs.max,
			restP95Ms,
			guilds: snapshot.guilds,
			users: snapshot.users,
			commandsPerMinute: snapshot.commandsPerMinute,
			shardsReady: snapshot.shardsReady
		});
	}

	/** A scored report's point; a report with nothing sampled yet adds none (a 100 there would be invented). */
	public recordHealth(report: HealthReport): void {
		if (report.data.overall.score === null) return;
		this.health.push({
			t: Date.parse(report.timestamp),
			overall: report.data.overall.score,
			cpu: report.data.components.cpu?.score ?? null,
			memory: report.data.components.memory?.score ?? null,
			network: report.data.components.network?.score ?? null,
			discord: report.data.components.discord?.score ?? null
		});
	}

	/** Oldest first. */
	public snapshot(): MonitorHistory {
		return { system: this.system.toArray(), process: this.process.toArray(), discord: this.discord.toArray(), health: this.health.toArray() };
	}

	/** Sampled points held (system, process and Discord). */
	public get points(): number {
		return this.system.size + this.process.size + this.discord.size;
	}

	public heapTrend(): Trend {
		return this.trends.analyze({ heapUsedMB: series(this.process.toArray(), 'heapUsedMB') }).heapUsedMB;
	}

	/** Trends of the charted metrics over the whole history. */
	public metricTrends(): Record<string, Trend> {
		const systemPoints = this.system.toArray();
		const processPoints = this.process.toArray();
		const discordPoints = this.discord.toArray();
		return this.trends.analyze({
			cpuPercent: series(systemPoints, 'cpuPercent'),
			memoryPercent: series(systemPoints, 'memoryPercent'),
			heapUsedMB: series(processPoints, 'heapUsedMB'),
			rssMB: series(processPoints, 'rssMB'),
			eventLoopP99Ms: series(processPoints, 'eventLoopP99Ms'),
			gatewayLatencyMs: series(discordPoints, 'gatewayLatencyMs'),
			restP95Ms: series(discordPoints, 'restP95Ms')
		});
	}
}

function series<P extends { t: number }>(points: P[], key: keyof P): TrendPoint[] {
	const out: TrendPoint[] = [];
	for (const point of points) {
		const value = point[key];
		if (typeof value === 'number' && Number.isFinite(value)) out.push({ t: point.t, v: value });
	}
	return out;
}
