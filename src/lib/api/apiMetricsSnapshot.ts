import type { ImageCacheStats } from '#lib/charts/ImageCache.js';
import type { RendererStats } from '#lib/charts/ChartRenderer.js';
import type { MetricsRegistry } from '#lib/metrics/MetricsRegistry.js';
import { buildMetricsSnapshot, type MetricsSnapshot, type ModuleStatus } from '#lib/metrics/MetricsSnapshot.js';
import { healthLevel } from '#lib/monitoring/HealthScorer.js';
import type { Monitor } from '#lib/monitoring/Monitor.js';
import type { MonitorHistory } from '#lib/monitoring/monitorTypes.js';
import type { ReporterSnapshot } from '#lib/reporting/Reporter.js';
import type { StatsMetrics } from '#lib/stats/StatsService.js';

/** Everything /api/metrics reads; optional services that are not wired (yet) simply leave their module out. */
export interface ApiMetricsSources {
	now: number;
	/** Process start, ms epoch. */
	startedAt: number;
	version: string;
	metrics: MetricsRegistry;
	monitor?: Pick<Monitor, 'latest' | 'commands' | 'activeAlerts' | 'status' | 'history' | 'buildHealthReport'>;
	reporter?: { snapshot(): ReporterSnapshot };
	stats?: { metrics(): StatsMetrics };
	statsEnabled?: boolean;
	charts?: { stats(): RendererStats };
	imageCache?: { stats(): ImageCacheStats };
	/** Processes started today (UTC) across the fleet, from the ops ledger; restarts = starts - 1. */
	startsToday?: () => Promise<number>;
}

export type ApiMetrics = MetricsSnapshot & { history: CompactHistory };

/** Slow sources (Redis) get this long; the snapshot must answer even when they do not. */
const SLOW_SOURCE_MS = 300;

/**
 * The `/api/metrics` body: the grouped snapshot (system, discord, modules, web, health) plus the
 * monitor's last hour of samples for the dashboard's charts. Health is scored fresh from the latest
 * samples (pure, cheap), so the level shown is never older than the newest sample.
 */
export async function collectApiMetrics(sources: ApiMetricsSources): Promise<ApiMetrics> {
	const { metrics, monitor } = sources;
	const [events, web, starts] = await Promise.all([metrics.counterValues(metrics.gatewayEvents), metrics.webStats(), withTimeout(sources.startsToday?.(), SLOW_SOURCE_MS)]);
	const gatewayEvents: Record<string, number> = {};
	for (const entry of events) gatewayEvents[entry.labels.type ?? 'unknown'] = (gatewayEvents[entry.labels.type ?? 'unknown'] ?? 0) + entry.value;
	const health = monitor?.buildHealthReport();
	const snapshot = buildMetricsSnapshot({
		now: sources.now,
		startedAt: sources.startedAt,
		restartCount: typeof starts === 'number' ? Math.max(0, starts - 1) : 0,
		version: sources.version,
		system: monitor?.latest.system,
		process: monitor?.latest.process,
		discord: monitor?.latest.discord,
		commandTotals: monitor?.commands.totals(),
		commandAnalysis: monitor?.latest.commands,
		gatewayEvents,
		modules: moduleStatuses(sources),
		web,
		// No samples yet (score null): no health section, rather than a made-up score.
		health: health && monitor && health.data.overall.score !== null ? { at: Date.parse(health.timestamp), scores: { overall: { score: health.data.overall.score, level: healthLevel(health.data.overall.score) }, components: health.data.components }, activeAlerts: monitor.activeAlerts() } : undefined
	});
	return { ...snapshot, history: compactHistory(monitor?.history()) };
}

function moduleStatuses(sources: ApiMetricsSources): ModuleStatus[] {
	const modules: ModuleStatus[] = [];
	const { startedAt } = sources;
	if (sources.reporter) {
		const snapshot = sources.reporter.snapshot();
		const channels = Object.values(snapshot.channels);
		const failures = channels.reduce((sum, channel) => sum + Object.values(channel.failures).reduce((a, b) => a + b, 0), 0);
		modules.push({
			name: 'reporter',
			enabled: true,
			startedAt,
			errorCount: failures + snapshot.internalErrors + snapshot.enqueueErrors,
			details: {
				queueDepth: channels.reduce((sum, channel) => sum + channel.queued, 0),
				spoolBytes: channels.reduce((sum, channel) => sum + channel.spool.bytes, 0),
				spoolEntries: channels.reduce((sum, channel) => sum + channel.spool.entries, 0),
				sentMessages: channels.reduce((sum, channel) => sum + channel.sentMessages, 0),
				droppedEvents: channels.reduce((sum, channel) => sum + channel.droppedEvents, 0),
				rateLimitWaits: snapshot.rateLimitWaits,
				unavailableChannels: channels.filter((channel) => !channel.available).map((channel) => channel.channel)
			}
		});
	}
	if (sources.stats) {
		const stats = sources.stats.metrics();
		modules.push({
			name: 'stats',
			enabled: sources.statsEnabled ?? true,
			startedAt,
			errorCount: stats.failures,
			details: {
				flushes: stats.flushes,
				lastFlushAt: stats.lastFlushAt === null ? null : new Date(stats.lastFlushAt).toISOString(),
				lastFlushMs: round(stats.lastFlushMs),
				lastFlushRows: stats.lastFlushRows,
				pendingRows: stats.pendingRows,
				openVoiceSessions: stats.openVoiceSessions
			}
		});
	}
	if (sources.monitor) {
		const status = sources.monitor.status();
		modules.push({ name: 'monitor', enabled: status.enabled, startedAt: status.startedAt, errorCount: status.errorCount, details: status.details });
	}
	if (sources.charts || sources.imageCache) {
		const charts = sources.charts?.stats();
		const cache = sources.imageCache?.stats();
		modules.push({
			name: 'charts',
			enabled: charts !== undefined,
			startedAt,
			errorCount: (charts?.errors ?? 0) + (cache?.renderErrors ?? 0),
			details: {
				renders: charts?.renders ?? null,
				cacheHitRate: cache ? round(cache.hitRatio, 3) : null,
				cacheHits: cache?.hits ?? null,
				cacheMisses: cache?.misses ?? null,
				cacheSize: cache?.size ?? null,
				cacheMax: cache?.max ?? null
			}
		});
	}
	return modules;
}

export interface CompactHistory {
	system: { t: number; cpu: number | null; memory: number | null }[];
	process: { t: number; rssMB: number | null; heapMB: number | null; loopP99Ms: number | null }[];
	discord: { t: number; gatewayMs: number | null; restP95Ms: number | null; guilds: number; commandsPerMinute: number | null }[];
	health: { t: number; overall: number; cpu: number | null; memory: number | null; network: number | null; discord: number | null }[];
}

/** The monitor's rolling hour, trimmed to what the dashboard charts (one decimal: JSON stays small). */
export function compactHistory(history: MonitorHistory | undefined): CompactHistory {
	if (!history) return { system: [], process: [], discord: [], health: [] };
	return {
		system: history.system.map((p) => ({ t: p.t, cpu: round(p.cpuPercent), memory: round(p.memoryPercent) })),
		process: history.process.map((p) => ({ t: p.t, rssMB: round(p.rssMB), heapMB: round(p.heapUsedMB), loopP99Ms: round(p.eventLoopP99Ms) })),
		discord: history.discord.map((p) => ({ t: p.t, gatewayMs: round(p.gatewayLatencyMs), restP95Ms: round(p.restP95Ms), guilds: p.guilds, commandsPerMinute: round(p.commandsPerMinute) })),
		health: history.health.map((p) => ({ ...p }))
	};
}

function round(value: number | null | undefined, digits = 1): number | null {
	return value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));
}

async function withTimeout<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
	if (!promise) return undefined;
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([promise.catch(() => undefined), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
	} finally {
		clearTimeout(timer);
	}
}
