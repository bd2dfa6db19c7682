import type { ActiveAlert } from '#lib/monitoring/AlertManager.js';
import type { CommandAnalysis } from '#lib/monitoring/CommandAnalyzer.js';
import type { DiscordSnapshot } from '#lib/monitoring/DiscordSampler.js';
import type { HealthScores } from '#lib/monitoring/HealthScorer.js';
import type { ProcessSnapshot } from '#lib/monitoring/ProcessSampler.js';
import type { SystemSnapshot } from '#lib/monitoring/SystemSampler.js';
import type { WebRouteStats } from './MetricsRegistry.js';

export interface ModuleStatus {
	name: string;
	enabled: boolean;
	/** ms epoch; null when not started. */
	startedAt: number | null;
	errorCount: number;
	/** Service-specific figures, e.g. reporter queue depth and spool bytes, image cache hit rate, store flush time. */
	details?: Record<string, unknown>;
}

export interface MetricsSnapshotInput {
	now: number;
	/** Process start, ms epoch. */
	startedAt: number;
	restartCount: number;
	version?: string;
	system?: SystemSnapshot;
	process?: ProcessSnapshot;
	discord?: DiscordSnapshot;
	/** Lifetime runs/failures per command (CommandTracker.totals()). */
	commandTotals?: Record<string, { runs: number; failures: number }>;
	/** The latest analyzer window. */
	commandAnalysis?: CommandAnalysis;
	/** Gateway events processed, by type. */
	gatewayEvents?: Record<string, number>;
	modules?: ModuleStatus[];
	web?: WebRouteStats[];
	health?: { at: number; scores: HealthScores; activeAlerts: readonly ActiveAlert[] };
}

/** JSON numbers only: NaN/Infinity (no data yet) become null. */
const num = (value: number | null | undefined, digits = 2): number | null => (value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/**
 * Pure builder of the `/api/metrics` JSON, grouped as operators read it: system, discord,
 * modules, web, health. Takes the services' latest snapshots; a missing one gives nulls, not errors.
 */
export function buildMetricsSnapshot(input: MetricsSnapshotInput) {
	const { system, process: proc, discord } = input;
	const events = input.gatewayEvents ?? {};
	const web = input.web ?? [];
	const webRequests = web.reduce((sum, route) => sum + route.requests, 0);
	const webErrors = web.reduce((sum, route) => sum + route.serverErrors + route.clientErrors, 0);
	const totals = Object.entries(input.commandTotals ?? {})
		.map(([command, figures]) => ({ command, runs: figures.runs, failures: figures.failures }))
		.sort((a, b) => b.runs - a.runs || a.command.localeCompare(b.command));

	return {
		generatedAt: iso(input.now)!,
		system: {
			uptimeSeconds: num((input.now - input.startedAt) / 1000, 0),
			startedAt: iso(input.startedAt),
			restartCount: input.restartCount,
			version: input.version ?? null,
			memory: {
				rssBytes: proc?.memory.rssBytes ?? null,
				heapUsedBytes: proc?.memory.heapUsedBytes ?? null,
				heapTotalBytes: proc?.memory.heapTotalBytes ?? null,
				heapLimitBytes: proc?.memory.heapLimitBytes ?? null,
				externalBytes: proc?.memory.externalBytes ?? null,
				hostTotalBytes: system?.memory.totalBytes ?? null,
				hostUsedPercent: num(system?.memory.usedPercent),
				effectivePercent: num(system?.memory.effectivePercent),
				limitBytes: system?.memory.limitBytes ?? null,
				swapPercent: num(system?.memory.swapPercent)
			},
			cpu: {
				processPercentOfCore: num(proc?.cpuPercentOfCore),
				hostUsagePercent: num(system?.cpu.usagePercent),
				cores: system?.cpu.cores ?? null,
				model: system?.cpu.model ?? null,
				speedMHz: num(system?.cpu.speedMHz.avg, 0),
				loadAverage: system?.cpu.loadAverage ?? null
			},
			eventLoop: {
				p50Ms: num(proc?.eventLoop.delayP50Ms),
				p99Ms: num(proc?.eventLoop.delayP99Ms),
				maxMs: num(proc?.eventLoop.delayMaxMs),
				utilization: num(proc?.eventLoop.utilization, 3)
			},
			gc: proc ? { count: proc.gc.count, pauseMs: num(proc.gc.pauseMs), windowMs: proc.windowMs } : null,
			threads: proc?.threads ?? null,
			openFds: proc?.openFds ?? null,
			activeHandles: proc?.handles.total ?? null,
			disk: system ? system.disk.mounts.map((mount) => ({ path: mount.path, usedPercent: num(mount.usedPercent), totalBytes: mount.totalBytes })) : [],
			network: system ? { rxBytesPerSec: num(system.network.rxBytesPerSec, 0), txBytesPerSec: num(system.network.txBytesPerSec, 0) } : null
		},
		discord: {
			guilds: discord?.guilds ?? null,
			users: discord?.users ?? null,
			channels: discord?.channels ?? null,
			uptimeSeconds: discord ? num(discord.uptimeMs / 1000, 0) : null,
			shards: discord ? discord.shards.map((shard) => ({ id: shard.id, status: shard.status, pingMs: num(shard.pingMs, 0) })) : [],
			gatewayLatencyMs: { max: num(discord?.gatewayLatencyMs.max, 0), avg: num(discord?.gatewayLatencyMs.avg, 0) },
			rest: discord
				? {
						requests: discord.rest.count,
						p50Ms: num(discord.rest.p50Ms, 0),
						p95Ms: num(discord.rest.p95Ms, 0),
						reachability: discord.rest.reachability,
						lastFailure: discord.rest.lastFailure,
						responses: discord.rest.responses
					}
				: null,
			commands: {
				served: discord?.commandsServed ?? totals.reduce((sum, entry) => sum + entry.runs, 0),
				perMinute: num(discord?.commandsPerMinute),
				byCommand: totals,
				lastWindow: input.commandAnalysis
					? {
							from: iso(input.commandAnalysis.from),
							to: iso(input.commandAnalysis.to),
							runs: input.commandAnalysis.totals.runs,
							successRate: num(input.commandAnalysis.totals.successRate, 1),
							p95Ms: num(input.commandAnalysis.totals.p95Ms, 0),
							slowest: input.commandAnalysis.slowest.map((entry) => ({ command: entry.command, p95Ms: num(entry.p95Ms, 0) }))
						}
					: null
			},
			events: { total: Object.values(events).reduce((sum, value) => sum + value, 0), byType: events }
		},
		modules: Object.fromEntries(
			(input.modules ?? []).map((module) => [module.name, { ...module.details, enabled: module.enabled, startedAt: iso(module.startedAt), errorCount: module.errorCount }])
		) as Record<string, { enabled: boolean; startedAt: string | null; errorCount: number } & Record<string, unknown>>,
		web: {
			requests: webRequests,
			errorRate: num(webRequests > 0 ? webErrors / webRequests : 0, 4),
			routes: web.map((route) => ({ ...route, errorRate: num(route.errorRate, 4), avgMs: num(route.avgMs), p95Ms: num(route.p95Ms) }))
		},
		health: input.health
			? {
					at: iso(input.health.at),
					score: input.health.scores.overall.score,
					level: input.health.scores.overall.level,
					components: input.health.scores.components,
					activeAlerts: input.health.activeAlerts.map((alert) => ({ key: alert.key, label: alert.label, level: alert.level, since: iso(alert.since), value: num(alert.value), threshold: alert.threshold, detail: alert.detail ?? null }))
				}
			: null
	};
}

export type MetricsSnapshot = ReturnType<typeof buildMetricsSnapshot>;
