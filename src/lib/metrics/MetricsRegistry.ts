import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ActiveAlert } from '#lib/monitoring/AlertManager.js';
import type { CommandExecution } from '#lib/monitoring/CommandTracker.js';
import type { DiscordSnapshot } from '#lib/monitoring/DiscordSampler.js';
import type { HealthScores } from '#lib/monitoring/HealthScorer.js';
import type { ProcessSnapshot } from '#lib/monitoring/ProcessSampler.js';
import type { RestResponseInfo } from '#lib/monitoring/RestLatencyTracker.js';
import type { SystemSnapshot } from '#lib/monitoring/SystemSampler.js';
import { LabelGuard } from './LabelGuard.js';

type LabelValues<L extends string> = Partial<Record<L, string | number | null | undefined>>;

/** A counter whose label values pass through a LabelGuard. */
export class BoundedCounter<L extends string> {
	public constructor(
		public readonly metric: Counter<L>,
		private readonly guard: LabelGuard
	) {}

	public inc(labels: LabelValues<L>, value = 1): void {
		this.metric.inc(this.guard.bound(labels), value);
	}
}

export class BoundedHistogram<L extends string> {
	public constructor(
		public readonly metric: Histogram<L>,
		private readonly guard: LabelGuard
	) {}

	public observe(labels: LabelValues<L>, seconds: number): void {
		this.metric.observe(this.guard.bound(labels), seconds);
	}

	/** Returns a function to call when the timed work ends (observes the elapsed seconds). */
	public startTimer(labels: LabelValues<L>): () => number {
		const started = performance.now();
		return () => {
			const seconds = (performance.now() - started) / 1000;
			this.observe(labels, seconds);
			return seconds;
		};
	}
}

export class BoundedGauge<L extends string> {
	public constructor(
		public readonly metric: Gauge<L>,
		private readonly guard: LabelGuard
	) {}

	public set(labels: LabelValues<L>, value: number): void {
		this.metric.set(this.guard.bound(labels), value);
	}
}

/** What the reporter exposes, per channel (cumulative counts; the registry turns them into counter increments). */
export interface ReporterMetricsSource {
	channels: Record<string, { queued: number; sent: number; failed: number; dropped: number; spoolBytes: number }>;
}

export interface ImageCacheMetricsSource {
	hits: number;
	misses: number;
	evictions: number;
}

export interface MetricsRegistryOptions {
	/** Constant label on every series (process identity for fleet aggregation). */
	shard: string | number;
	/** Node default metrics (process_*, nodejs_*). Default true. */
	defaultMetrics?: boolean;
	/**
	 * Resolution of prom-client's own event-loop histogram. Kept coarse (1 s) because it is a second
	 * timer waking the loop (10 ms, its default, costs ~0.8% of a core idle); the precise figures
	 * are nexus_process_event_loop_delay_*, fed by the ProcessSampler. prom-client's histogram-based
	 * nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds are therefore dropped;
	 * nodejs_eventloop_lag_seconds (measured at scrape) stays.
	 */
	eventLoopMonitoringPrecisionMs?: number;
	/** Distinct values allowed per label before values become "other". */
	maxLabelValues?: number;
}

const COMMAND_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];
const REST_BUCKETS = [0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 5, 10];
const RENDER_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];
const FLUSH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const API_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const HISTOGRAM_LAG_GAUGES = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map((name) => `nodejs_eventloop_lag_${name}_seconds`);

/**
 * The one place every Prometheus series of Nexus is defined, on a dedicated Registry (never the
 * global one, so tests and several bots in one process do not collide). Labels are bounded by
 * construction: commands/routes/event types through a LabelGuard, and no user, guild, channel or
 * message id is ever a label. Services increment the typed handles; gauges that mirror another
 * service's state are read at scrape time through `bind*` providers.
 */
export class MetricsRegistry {
	public readonly registry = new Registry();
	private readonly guard: LabelGuard;
	private reporterSource: (() => ReporterMetricsSource | undefined) | undefined;
	private imageCacheSource: (() => ImageCacheMetricsSource | undefined) | undefined;
	private readonly synced = new Map<string, number>();

	// Discord
	public readonly gatewayEvents: BoundedCounter<'type'>;
	private pendingGatewayEvents = Object.create(null) as Record<string, number>;
	public readonly commands: BoundedCounter<'command' | 'status'>;
	public readonly userMistakes: BoundedCounter<'command' | 'identifier'>;
	public readonly commandDuration: BoundedHistogram<'command'>;
	public readonly gatewayLatency: BoundedGauge<'shard'>;
	public readonly restLatency: BoundedHistogram<'route_class'>;
	public readonly restResponses: BoundedCounter<'route_class' | 'status_class'>;
	public readonly discordGuilds: Gauge;
	public readonly discordUsers: Gauge;
	public readonly discordChannels: Gauge;
	public readonly discordShardsReady: Gauge;
	public readonly discordApiUp: Gauge;
	// Reporter
	public readonly reporterSends: BoundedCounter<'channel' | 'result'>;
	public readonly reporterQueueDepth: BoundedGauge<'channel'>;
	public readonly reporterSpoolBytes: Gauge;
	// Charts
	public readonly imageCacheHits: Counter;
	public readonly imageCacheMisses: Counter;
	public readonly imageCacheEvictions: Counter;
	public readonly chartRenderSeconds: Histogram;
	// Stats store
	public readonly statsFlushSeconds: Histogram;
	public readonly statsFlushRows: Counter;
	// Health and alerts
	public readonly healthScore: BoundedGauge<'component'>;
	public readonly alertsActive: BoundedGauge<'level'>;
	public readonly errors: BoundedCounter<'source'>;
	// Process and host (from the samplers)
	public readonly eventLoopDelay: BoundedGauge<'quantile'>;
	public readonly eventLoopUtilization: Gauge;
	public readonly processThreads: Gauge;
	public readonly processHeapLimit: Gauge;
	public readonly processCpu: Gauge;
	public readonly systemCpu: Gauge;
	public readonly systemLoadPerCore: Gauge;
	public readonly systemMemoryUsed: Gauge;
	public readonly systemMemoryEffective: Gauge;
	public readonly systemSwapUsed: Gauge;
	public readonly systemDiskUsed: BoundedGauge<'mount'>;
	public readonly systemNetwork: BoundedGauge<'direction'>;
	// HTTP API
	public readonly apiRequests: BoundedCounter<'route' | 'status'>;
	public readonly apiRequestDuration: BoundedHistogram<'route'>;

	public constructor(options: MetricsRegistryOptions) {
		const registers = [this.registry];
		this.guard = new LabelGuard(options.maxLabelValues ?? 100, { quantile: 3, level: 3, component: 5, direction: 2, status: 20, result: 10, status_class: 5, mount: 10 });
		this.registry.setDefaultLabels({ shard: String(options.shard) });
		const counter = <L extends string>(name: string, help: string, labelNames: L[], collect?: () => void) => new Counter<L>({ name, help, labelNames, registers, ...(collect ? { collect } : {}) });
		const gauge = <L extends string>(name: string, help: string, labelNames: L[] = [], collect?: () => void) => new Gauge<L>({ name, help, labelNames, registers, ...(collect ? { collect } : {}) });
		const histogram = <L extends string>(name: string, help: string, buckets: number[], labelNames: L[] = []) => new Histogram<L>({ name, help, buckets, labelNames, registers });
		const self = this;

		this.gatewayEvents = new BoundedCounter(
			counter('nexus_gateway_events_total', 'Gateway dispatch events received, by type.', ['type'], () => self.collectGatewayEvents()),
			this.guard
		);
		this.commands = new BoundedCounter(counter('nexus_commands_total', 'Slash commands finished, by command and status (success|failure).', ['command', 'status']), this.guard);
		this.userMistakes = new BoundedCounter(
			counter('nexus_command_user_mistakes_total', "Commands answered with the user's mistake (bad option, denied precondition), by command and identifier. Not failures.", ['command', 'identifier']),
			this.guard
		);
		this.commandDuration = new BoundedHistogram(histogram('nexus_command_duration_seconds', 'Slash command execution time.', COMMAND_BUCKETS, ['command']), this.guard);
		this.gatewayLatency = new BoundedGauge(gauge('nexus_gateway_latency_seconds', 'Gateway heartbeat round trip per shard.', ['shard']), this.guard);
		this.restLatency = new BoundedHistogram(histogram('nexus_rest_latency_seconds', 'Round trip of our Discord REST requests (to response headers), by route class.', REST_BUCKETS, ['route_class']), this.guard);
		this.restResponses = new BoundedCounter(counter('nexus_rest_responses_total', 'Discord REST responses by route class and status class (2xx, 4xx, 429, 5xx, error).', ['route_class', 'status_class']), this.guard);
		this.discordGuilds = gauge('nexus_discord_guilds', 'Guilds in cache.');
		this.discordUsers = gauge('nexus_discord_users', 'Members across cached guilds.');
		this.discordChannels = gauge('nexus_discord_channels', 'Channels in cache.');
		this.discordShardsReady = gauge('nexus_discord_shards_ready', 'Shards of this process in READY state.');
		this.discordApiUp = gauge('nexus_discord_api_up', '1 when the last Discord REST request got a non-5xx answer, 0 when it failed.');

		// Mirrored from the reporter at scrape time; the first series of the group syncs them all
		// (the registry reads series in registration order).
		this.reporterSends = new BoundedCounter(
			counter('nexus_reporter_sends_total', 'Report messages sent to Discord, by channel and result (sent, failed, dropped).', ['channel', 'result'], () => self.collectReporter()),
			this.guard
		);
		this.reporterQueueDepth = new BoundedGauge(gauge('nexus_reporter_queue_depth', 'Report events waiting in memory, by channel.', ['channel']), this.guard);
		this.reporterSpoolBytes = gauge('nexus_reporter_spool_bytes', 'Bytes in the outage spool on disk.');

		// Counters mirrored from the image cache are synced when scraped (one collect hook serves all three).
		this.imageCacheHits = counter('nexus_image_cache_hits_total', 'Chart image cache hits.', [], () => self.collectImageCache());
		this.imageCacheMisses = counter('nexus_image_cache_misses_total', 'Chart image cache misses.', []);
		this.imageCacheEvictions = counter('nexus_image_cache_evictions_total', 'Chart images evicted by the size limit.', []);
		this.chartRenderSeconds = histogram('nexus_chart_render_seconds', 'Chart render + PNG encode time.', RENDER_BUCKETS);
		this.statsFlushSeconds = histogram('nexus_stats_flush_seconds', 'Statistics flush transaction time.', FLUSH_BUCKETS);
		this.statsFlushRows = counter('nexus_stats_flush_rows_total', 'Statistics rows written by flushes.', []);

		this.healthScore = new BoundedGauge(gauge('nexus_health_score', 'Health score 0-100 by component (cpu, memory, network, discord, overall).', ['component']), this.guard);
		this.alertsActive = new BoundedGauge(gauge('nexus_alerts_active', 'Alerts currently active, by level.', ['level']), this.guard);
		this.errors = new BoundedCounter(counter('nexus_errors_total', 'Errors counted by the error monitor, by source.', ['source']), this.guard);

		this.eventLoopDelay = new BoundedGauge(gauge('nexus_process_event_loop_delay_seconds', 'Event-loop delay over the last process sample (quantile 0.5, 0.99 or max).', ['quantile']), this.guard);
		this.eventLoopUtilization = gauge('nexus_process_event_loop_utilization_ratio', 'Share of time the event loop was busy over the last process sample.');
		this.processThreads = gauge('nexus_process_threads', 'OS threads of the process.');
		this.processHeapLimit = gauge('nexus_process_heap_limit_bytes', 'V8 heap size limit.');
		this.processCpu = gauge('nexus_process_cpu_ratio', 'Process CPU over the last sample, as a fraction of one core.');
		this.systemCpu = gauge('nexus_system_cpu_usage_ratio', 'Host CPU busy share over the last system sample.');
		this.systemLoadPerCore = gauge('nexus_system_load_per_core', '1-minute load average divided by cores.');
		this.systemMemoryUsed = gauge('nexus_system_memory_used_ratio', 'Host memory in use (total - available) / total.');
		this.systemMemoryEffective = gauge('nexus_system_memory_effective_ratio', 'What the memory alert watches: tighter of host memory and RSS against the container limit.');
		this.systemSwapUsed = gauge('nexus_system_swap_used_ratio', 'Swap in use.');
		this.systemDiskUsed = new BoundedGauge(gauge('nexus_system_disk_used_ratio', 'Filesystem usage of the configured paths.', ['mount']), this.guard);
		this.systemNetwork = new BoundedGauge(gauge('nexus_system_network_bytes_per_second', 'Host network throughput (non-loopback) over the last sample.', ['direction']), this.guard);

		this.apiRequests = new BoundedCounter(counter('nexus_api_requests_total', 'HTTP API requests by route and status code.', ['route', 'status']), this.guard);
		this.apiRequestDuration = new BoundedHistogram(histogram('nexus_api_request_duration_seconds', 'HTTP API request handling time by route.', API_BUCKETS, ['route']), this.guard);

		if (options.defaultMetrics !== false) {
			collectDefaultMetrics({ register: this.registry, prefix: '', eventLoopMonitoringPrecision: options.eventLoopMonitoringPrecisionMs ?? 1000 });
			for (const name of HISTOGRAM_LAG_GAUGES) this.registry.removeSingleMetric(name);
		}
	}

	public get contentType(): string {
		return this.registry.contentType;
	}

	/**
	 * The gateway hot path: one plain-object increment per dispatch (no label hashing); the counts
	 * move into nexus_gateway_events_total when scraped or read.
	 */
	public countGatewayEvent(type: string): void {
		this.pendingGatewayEvents[type] = (this.pendingGatewayEvents[type] ?? 0) + 1;
	}

	private collectGatewayEvents(): void {
		const pending = this.pendingGatewayEvents;
		this.pendingGatewayEvents = Object.create(null) as Record<string, number>;
		for (const type in pending) this.gatewayEvents.inc({ type }, pending[type]);
	}

	/** The Prometheus text exposition of every series. */
	public metricsText(): Promise<string> {
		return this.registry.metrics();
	}

	/** Gauges/counters read from the reporter at scrape time. */
	public bindReporter(source: () => ReporterMetricsSource | undefined): void {
		this.reporterSource = source;
	}

	public bindImageCache(source: () => ImageCacheMetricsSource | undefined): void {
		this.imageCacheSource = source;
	}

	// Feeds from the monitoring samplers (the Monitor calls these).

	public recordCommand(execution: Pick<CommandExecution, 'command' | 'success' | 'durationMs'> & { userMistake?: string | null }): void {
		this.commands.inc({ command: execution.command, status: execution.success ? 'success' : 'failure' });
		if (execution.userMistake) this.userMistakes.inc({ command: execution.command, identifier: execution.userMistake });
		this.commandDuration.observe({ command: execution.command }, execution.durationMs / 1000);
	}

	public recordRest(info: RestResponseInfo): void {
		this.restLatency.observe({ route_class: info.routeClass }, info.durationMs / 1000);
		this.restResponses.inc({ route_class: info.routeClass, status_class: statusClass(info.status) });
	}

	public recordRestFailure(routeClass = 'other'): void {
		this.restResponses.inc({ route_class: routeClass, status_class: 'error' });
	}

	public recordError(source: string): void {
		this.errors.inc({ source });
	}

	public observeSystem(snapshot: SystemSnapshot): void {
		this.systemCpu.set(snapshot.cpu.usagePercent / 100);
		this.systemLoadPerCore.set(snapshot.cpu.loadPerCore);
		this.systemMemoryUsed.set(snapshot.memory.usedPercent / 100);
		this.systemMemoryEffective.set(snapshot.memory.effectivePercent / 100);
		this.systemSwapUsed.set(snapshot.memory.swapPercent / 100);
		for (const mount of snapshot.disk.mounts) this.systemDiskUsed.set({ mount: mount.path }, mount.usedPercent / 100);
		this.systemNetwork.set({ direction: 'receive' }, snapshot.network.rxBytesPerSec);
		this.systemNetwork.set({ direction: 'transmit' }, snapshot.network.txBytesPerSec);
	}

	public observeProcess(snapshot: ProcessSnapshot): void {
		this.eventLoopDelay.set({ quantile: '0.5' }, snapshot.eventLoop.delayP50Ms / 1000);
		this.eventLoopDelay.set({ quantile: '0.99' }, snapshot.eventLoop.delayP99Ms / 1000);
		this.eventLoopDelay.set({ quantile: 'max' }, snapshot.eventLoop.delayMaxMs / 1000);
		this.eventLoopUtilization.set(snapshot.eventLoop.utilization);
		if (snapshot.threads !== null) this.processThreads.set(snapshot.threads);
		this.processHeapLimit.set(snapshot.memory.heapLimitBytes);
		this.processCpu.set(snapshot.cpuPercentOfCore / 100);
	}

	public observeDiscord(snapshot: DiscordSnapshot): void {
		for (const shard of snapshot.shards) if (shard.pingMs !== null) this.gatewayLatency.set({ shard: shard.id }, shard.pingMs / 1000);
		this.discordGuilds.set(snapshot.guilds);
		this.discordUsers.set(snapshot.users);
		this.discordChannels.set(snapshot.channels);
		this.discordShardsReady.set(snapshot.shardsReady);
		const reachability = snapshot.rest.reachability;
		if (reachability !== 'unknown') this.discordApiUp.set(reachability === 'reachable' ? 1 : 0);
	}

	public observeHealth(scores: HealthScores, active: readonly Pick<ActiveAlert, 'level'>[]): void {
		// No samples yet: no series, rather than a made-up 100.
		if (scores.overall.score !== null) this.healthScore.set({ component: 'overall' }, scores.overall.score);
		for (const [component, score] of Object.entries(scores.components)) if (score) this.healthScore.set({ component }, score.score);
		this.alertsActive.set({ level: 'CRITICAL' }, active.filter((alert) => alert.level === 'CRITICAL').length);
		this.alertsActive.set({ level: 'WARNING' }, active.filter((alert) => alert.level === 'WARNING').length);
	}

	/** Current values of a labelled counter, e.g. gateway events by type for the JSON snapshot. */
	public async counterValues(counter: BoundedCounter<string> | Counter<string>): Promise<{ labels: Record<string, string>; value: number }[]> {
		const metric = counter instanceof BoundedCounter ? counter.metric : counter;
		const data = await metric.get();
		return data.values.map((entry) => ({ labels: stripShard(entry.labels as Record<string, string | number>), value: entry.value }));
	}

	/** Per-route request count, errors and mean/p95-ish duration from the API series. */
	public async webStats(): Promise<WebRouteStats[]> {
		const [requests, durations] = await Promise.all([this.apiRequests.metric.get(), this.apiRequestDuration.metric.get()]);
		return summarizeWeb(
			requests.values.map((entry) => ({ route: String(entry.labels.route), status: String(entry.labels.status), value: entry.value })),
			durations.values.map((entry) => ({ name: entry.metricName ?? '', route: String(entry.labels.route), le: (entry.labels as Record<string, string | number>).le, value: entry.value }))
		);
	}

	private collectReporter(): void {
		const source = this.reporterSource?.();
		if (!source) return;
		let spool = 0;
		for (const [channel, figures] of Object.entries(source.channels)) {
			this.reporterQueueDepth.set({ channel }, figures.queued);
			spool += figures.spoolBytes;
			this.syncCounter(this.reporterSends, { channel, result: 'sent' }, figures.sent);
			this.syncCounter(this.reporterSends, { channel, result: 'failed' }, figures.failed);
			this.syncCounter(this.reporterSends, { channel, result: 'dropped' }, figures.dropped);
		}
		this.reporterSpoolBytes.set(spool);
	}

	private collectImageCache(): void {
		const source = this.imageCacheSource?.();
		if (!source) return;
		this.syncCounter(this.imageCacheHits, {}, source.hits, 'image_hits');
		this.syncCounter(this.imageCacheMisses, {}, source.misses, 'image_misses');
		this.syncCounter(this.imageCacheEvictions, {}, source.evictions, 'image_evictions');
	}

	/** Turns a cumulative count owned elsewhere into counter increments (restarts of the source count from 0). */
	private syncCounter<L extends string>(counter: BoundedCounter<L> | Counter<L>, labels: LabelValues<L>, total: number, key = JSON.stringify(labels)): void {
		const previous = this.synced.get(key) ?? 0;
		const delta = total >= previous ? total - previous : total;
		this.synced.set(key, total);
		if (delta <= 0) return;
		if (counter instanceof BoundedCounter) counter.inc(labels, delta);
		else counter.inc(delta);
	}
}

export interface WebRouteStats {
	route: string;
	requests: number;
	/** Responses with status >= 500. */
	serverErrors: number;
	/** Responses 400-499 (401 from missing tokens included). */
	clientErrors: number;
	errorRate: number;
	avgMs: number;
	/** Upper bound of the histogram bucket holding the 95th percentile (the top bound when above it). */
	p95Ms: number;
}

/** Pure: folds the API counter and duration histogram values into per-route figures. */
export function summarizeWeb(
	requests: { route: string; status: string; value: number }[],
	durations: { name: string; route: string; le?: string | number; value: number }[]
): WebRouteStats[] {
	const routes = new Map<string, WebRouteStats>();
	const get = (route: string) => {
		let stats = routes.get(route);
		if (!stats) routes.set(route, (stats = { route, requests: 0, serverErrors: 0, clientErrors: 0, errorRate: 0, avgMs: 0, p95Ms: 0 }));
		return stats;
	};
	for (const { route, status, value } of requests) {
		const stats = get(route);
		stats.requests += value;
		const code = Number(status);
		if (code >= 500) stats.serverErrors += value;
		else if (code >= 400) stats.clientErrors += value;
	}
	const sums = new Map<string, number>();
	const counts = new Map<string, number>();
	const buckets = new Map<string, { le: number; value: number }[]>();
	for (const entry of durations) {
		if (entry.name.endsWith('_sum')) sums.set(entry.route, entry.value);
		else if (entry.name.endsWith('_count')) counts.set(entry.route, entry.value);
		else if (entry.name.endsWith('_bucket') && entry.le !== undefined) {
			const list = buckets.get(entry.route) ?? [];
			list.push({ le: entry.le === '+Inf' ? Infinity : Number(entry.le), value: entry.value });
			buckets.set(entry.route, list);
		}
	}
	for (const stats of routes.values()) {
		const count = counts.get(stats.route) ?? 0;
		stats.errorRate = stats.requests > 0 ? (stats.serverErrors + stats.clientErrors) / stats.requests : 0;
		stats.avgMs = count > 0 ? ((sums.get(stats.route) ?? 0) / count) * 1000 : 0;
		const cumulative = (buckets.get(stats.route) ?? []).sort((a, b) => a.le - b.le);
		const target = count * 0.95;
		const bucket = cumulative.find((entry) => entry.value >= target && count > 0);
		const topBound = cumulative.filter((entry) => Number.isFinite(entry.le)).at(-1)?.le ?? 0;
		stats.p95Ms = count === 0 ? 0 : (bucket && Number.isFinite(bucket.le) ? bucket.le : topBound) * 1000;
	}
	return [...routes.values()].sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
}

function statusClass(status: number): string {
	if (status === 429) return '429';
	if (status >= 500) return '5xx';
	if (status >= 400) return '4xx';
	if (status >= 300) return '3xx';
	return '2xx';
}

function stripShard(labels: Record<string, string | number>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(labels)) if (key !== 'shard') out[key] = String(value);
	return out;
}
