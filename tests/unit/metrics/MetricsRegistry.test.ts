import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry, summarizeWeb } from '#lib/metrics/MetricsRegistry.js';
import { CommandTracker } from '#lib/monitoring/CommandTracker.js';
import type { MonitorMetricsSink } from '#lib/monitoring/monitorTypes.js';
import { discordSnapshot, processSnapshot, systemSnapshot } from '../monitoring/fixtures.js';

const NEXUS_SERIES = [
	'nexus_gateway_events_total',
	'nexus_commands_total',
	'nexus_command_duration_seconds',
	'nexus_gateway_latency_seconds',
	'nexus_rest_latency_seconds',
	'nexus_rest_responses_total',
	'nexus_reporter_sends_total',
	'nexus_reporter_queue_depth',
	'nexus_reporter_spool_bytes',
	'nexus_image_cache_hits_total',
	'nexus_image_cache_misses_total',
	'nexus_image_cache_evictions_total',
	'nexus_chart_render_seconds',
	'nexus_health_score',
	'nexus_alerts_active',
	'nexus_stats_flush_seconds',
	'nexus_stats_flush_rows_total',
	'nexus_process_event_loop_delay_seconds',
	'nexus_api_requests_total',
	'nexus_api_request_duration_seconds',
	'nexus_discord_guilds',
	'nexus_system_cpu_usage_ratio'
];

/** Samples of one series from the raw text, labels parsed (order-independent). */
function rawSamples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
	const out: { labels: Record<string, string>; value: number }[] = [];
	for (const line of text.split('\n')) {
		const match = /^([a-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
		if (!match || match[1] !== name) continue;
		const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((entry) => [entry[1], entry[2]]));
		out.push({ labels, value: Number(match[3]) });
	}
	return out;
}

async function scrape(metrics: MetricsRegistry): Promise<Map<string, ParsedFamily>> {
	const families = parsePrometheusTextFormat(await metrics.metricsText());
	return new Map(families.map((family) => [family.name, family]));
}

function feed(metrics: MetricsRegistry) {
	metrics.gatewayEvents.inc({ type: 'MESSAGE_CREATE' });
	metrics.gatewayEvents.inc({ type: 'MESSAGE_CREATE' });
	metrics.gatewayEvents.inc({ type: 'GUILD_MEMBER_ADD' });
	metrics.recordCommand({ command: 'guildstats', success: true, durationMs: 420 });
	metrics.recordCommand({ command: 'guildstats', success: false, durationMs: 6200 });
	metrics.recordRest({ durationMs: 80, routeClass: 'messages', method: 'POST', status: 200, upload: false });
	metrics.recordRest({ durationMs: 900, routeClass: 'interactions', method: 'POST', status: 429, upload: false });
	metrics.recordRestFailure();
	metrics.imageCacheHits.inc();
	metrics.chartRenderSeconds.observe(0.3);
	metrics.statsFlushSeconds.observe(0.02);
	metrics.statsFlushRows.inc(120);
	metrics.apiRequests.inc({ route: 'metrics', status: 200 });
	metrics.apiRequestDuration.observe({ route: 'metrics' }, 0.004);
	metrics.reporterSends.inc({ channel: 'performance', result: 'sent' });
	metrics.reporterQueueDepth.set({ channel: 'performance' }, 3);
	metrics.reporterSpoolBytes.set(2048);
	metrics.observeSystem(systemSnapshot());
	metrics.observeProcess(processSnapshot({ eventLoop: { delayP99Ms: 280 } }));
	metrics.observeDiscord(discordSnapshot({ shards: [{ id: 0, pingMs: 45, status: 'READY', ready: true }, { id: 1, pingMs: 620, status: 'READY', ready: true }] }));
	metrics.observeHealth({ overall: { score: 62, level: 'Fair' }, components: { cpu: { score: 40, level: 'Poor', limitedBy: 'event-loop p99' } } }, [{ level: 'WARNING' }]);
}

describe('MetricsRegistry', () => {
	it('exposes every nexus_* series in valid Prometheus text with a constant shard label', async () => {
		const metrics = new MetricsRegistry({ shard: 3 });
		// The Monitor can use the registry directly as its sink.
		const sink: MonitorMetricsSink = metrics;
		expect(sink).toBe(metrics);
		feed(metrics);
		expect(metrics.contentType).toContain('text/plain');
		const families = await scrape(metrics);
		for (const name of NEXUS_SERIES) expect(families.has(name), name).toBe(true);

		// parse-prometheus-text-format flattens labelled histograms (labels dropped), so histogram
		// series are checked on the raw lines; every other sample through the parser.
		const text = await metrics.metricsText();
		for (const family of families.values()) {
			if (family.type === 'HISTOGRAM') continue;
			for (const sample of family.metrics) expect(sample.labels?.shard, `${family.name} has the shard label`).toBeDefined();
		}
		const sampleLines = text.split('\n').filter((line) => line && !line.startsWith('#'));
		expect(sampleLines.length).toBeGreaterThan(100);
		for (const line of sampleLines) expect(line, 'every sample carries the process shard label').toMatch(/[{,]shard="\d+"/);
		// Naming: counters end in _total, durations are histograms in seconds.
		for (const family of families.values()) {
			if (family.name.startsWith('nexus_') && family.type === 'COUNTER') expect(family.name).toMatch(/_total$/);
			if (family.name.startsWith('nexus_') && family.name.endsWith('_seconds') && family.name.includes('duration')) expect(family.type).toBe('HISTOGRAM');
		}

		const events = families.get('nexus_gateway_events_total')!.metrics;
		expect(events.map((sample) => [sample.labels?.type, sample.value])).toEqual([
			['MESSAGE_CREATE', '2'],
			['GUILD_MEMBER_ADD', '1']
		]);
		expect(families.get('nexus_commands_total')!.metrics.map((sample) => `${sample.labels?.command}/${sample.labels?.status}=${sample.value}`)).toEqual(['guildstats/success=1', 'guildstats/failure=1']);
		expect(families.get('nexus_command_duration_seconds')!.type).toBe('HISTOGRAM');
		const buckets = rawSamples(text, 'nexus_command_duration_seconds_bucket');
		expect(buckets.find((sample) => sample.labels.le === '0.5')).toEqual({ labels: { le: '0.5', command: 'guildstats', shard: '3' }, value: 1 });
		expect(buckets.find((sample) => sample.labels.le === '+Inf')?.value).toBe(2);
		expect(rawSamples(text, 'nexus_command_duration_seconds_count')).toEqual([{ labels: { command: 'guildstats', shard: '3' }, value: 2 }]);
		expect(rawSamples(text, 'nexus_command_duration_seconds_sum')[0].value).toBeCloseTo(6.62);
		expect(rawSamples(text, 'nexus_rest_latency_seconds_count').map((sample) => [sample.labels.route_class, sample.value])).toEqual([
			['messages', 1],
			['interactions', 1]
		]);
		// Per-shard gauge: its own shard label (the gateway shard) wins over the process default.
		expect(families.get('nexus_gateway_latency_seconds')!.metrics.map((sample) => [sample.labels?.shard, sample.value])).toEqual([
			['0', '0.045'],
			['1', '0.62']
		]);
		expect(families.get('nexus_rest_responses_total')!.metrics.map((sample) => `${sample.labels?.route_class}/${sample.labels?.status_class}`)).toEqual(['messages/2xx', 'interactions/429', 'other/error']);
		expect(families.get('nexus_process_event_loop_delay_seconds')!.metrics.find((sample) => sample.labels?.quantile === '0.99')?.value).toBe('0.28');
		expect(families.get('nexus_health_score')!.metrics.map((sample) => [sample.labels?.component, sample.value])).toEqual([
			['overall', '62'],
			['cpu', '40']
		]);
		expect(families.get('nexus_alerts_active')!.metrics.map((sample) => [sample.labels?.level, sample.value])).toEqual([
			['CRITICAL', '0'],
			['WARNING', '1']
		]);
		expect(families.get('nexus_reporter_queue_depth')!.metrics[0]).toMatchObject({ labels: { channel: 'performance', shard: '3' }, value: '3' });
	});

	it('includes Node default metrics but not the histogram-based event-loop gauges it replaces', async () => {
		const families = await scrape(new MetricsRegistry({ shard: 0 }));
		for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_gc_duration_seconds']) {
			expect(families.has(name), name).toBe(true);
		}
		expect(families.has('nodejs_eventloop_lag_p99_seconds')).toBe(false);
		expect([...(await scrape(new MetricsRegistry({ shard: 0, defaultMetrics: false }))).keys()].every((name) => name.startsWith('nexus_'))).toBe(true);
	});

	it("counts users' mistakes by command and identifier, as successes, never as failures", async () => {
		const metrics = new MetricsRegistry({ shard: 0, defaultMetrics: false });
		const tracker = new CommandTracker({ onExecution: (execution) => metrics.recordCommand(execution) });
		for (let index = 0; index < 40; index++) tracker.record({ id: 'm1', command: 'guildstats settings timezone', durationMs: 3, success: true, userMistake: 'GuildStatsInvalidTimezone' });
		tracker.record({ id: 'm2', command: 'nexus health', durationMs: 1, success: true, userMistake: 'OwnerOnly' });
		tracker.record({ id: 'm3', command: 'nexus health', durationMs: 1, success: false, error: new Error('boom') });
		const families = await scrape(metrics);
		const mistakes = families.get('nexus_command_user_mistakes_total')!.metrics.map((sample) => `${sample.labels?.command}/${sample.labels?.identifier}=${sample.value}`);
		expect(mistakes.sort()).toEqual(['guildstats settings timezone/GuildStatsInvalidTimezone=40', 'nexus health/OwnerOnly=1']);
		const statuses = families.get('nexus_commands_total')!.metrics.map((sample) => `${sample.labels?.command}/${sample.labels?.status}=${sample.value}`);
		expect(statuses.sort()).toEqual(['guildstats settings timezone/success=40', 'nexus health/failure=1', 'nexus health/success=1']);
	});

	it('keeps label cardinality bounded: 10k distinct users through command tracking add no series', async () => {
		const metrics = new MetricsRegistry({ shard: 0, maxLabelValues: 20 });
		const tracker = new CommandTracker({ onExecution: (execution) => metrics.recordCommand(execution) });
		for (let index = 0; index < 10_000; index++) {
			tracker.record({
				id: `interaction-${index}`,
				command: index % 2 === 0 ? 'guildstats' : 'nexus',
				userId: String(200_000_000_000_000_000n + BigInt(index)),
				guildId: String(300_000_000_000_000_000n + BigInt(index % 97)),
				channelId: String(400_000_000_000_000_000n + BigInt(index)),
				durationMs: index % 1000,
				success: index % 10 !== 0
			});
		}
		let families = await scrape(metrics);
		const commandSeries = families.get('nexus_commands_total')!.metrics;
		// guildstats success/failure, nexus success (every 10th run fails, and those are all even).
		expect(commandSeries.map((sample) => `${sample.labels?.command}/${sample.labels?.status}`).sort()).toEqual(['guildstats/failure', 'guildstats/success', 'nexus/success']);
		expect(commandSeries.reduce((sum, sample) => sum + Number(sample.value), 0)).toBe(10_000);
		const text = await metrics.metricsText();
		expect(text).not.toMatch(/2000000000000000\d{2}/);
		expect(text).not.toMatch(/[{,](user|user_id|guild|guild_id|channel_id|interaction)=/);
		const seriesBefore = text.split('\n').filter((line) => line.startsWith('nexus_')).length;

		// Even a bug feeding ids into a label is capped at maxLabelValues + "other".
		for (let index = 0; index < 10_000; index++) {
			metrics.recordCommand({ command: `leaked-${index}`, success: true, durationMs: 1 });
			metrics.gatewayEvents.inc({ type: `T${index}` });
		}
		families = await scrape(metrics);
		const commandLabels = new Set(families.get('nexus_commands_total')!.metrics.map((sample) => sample.labels?.command));
		expect(commandLabels.size).toBeLessThanOrEqual(21);
		expect(commandLabels.has('other')).toBe(true);
		expect(families.get('nexus_gateway_events_total')!.metrics.length).toBeLessThanOrEqual(21);
		const seriesAfter = (await metrics.metricsText()).split('\n').filter((line) => line.startsWith('nexus_')).length;
		expect(seriesAfter - seriesBefore).toBeLessThan(21 * 20);
	});

	it('mirrors reporter and image cache figures at scrape time, turning totals into counter increments', async () => {
		const metrics = new MetricsRegistry({ shard: 0, defaultMetrics: false });
		let reporter = { channels: { performance: { queued: 4, sent: 10, failed: 1, dropped: 0, spoolBytes: 100 }, logs: { queued: 0, sent: 3, failed: 0, dropped: 0, spoolBytes: 50 } } };
		let cache = { hits: 5, misses: 2, evictions: 0 };
		metrics.bindReporter(() => reporter);
		metrics.bindImageCache(() => cache);
		let families = await scrape(metrics);
		const sends = (name: string) => families.get('nexus_reporter_sends_total')!.metrics.filter((sample) => sample.labels?.result === name).map((sample) => [sample.labels?.channel, sample.value]);
		expect(sends('sent')).toEqual([
			['performance', '10'],
			['logs', '3']
		]);
		expect(families.get('nexus_reporter_spool_bytes')!.metrics[0].value).toBe('150');
		expect(families.get('nexus_image_cache_hits_total')!.metrics[0].value).toBe('5');
		expect(families.get('nexus_image_cache_misses_total')!.metrics[0].value).toBe('2');

		reporter = { channels: { performance: { queued: 0, sent: 15, failed: 1, dropped: 2, spoolBytes: 0 }, logs: { queued: 0, sent: 3, failed: 0, dropped: 0, spoolBytes: 0 } } };
		cache = { hits: 9, misses: 2, evictions: 1 };
		families = await scrape(metrics);
		expect(sends('sent')).toEqual([
			['performance', '15'],
			['logs', '3']
		]);
		expect(sends('dropped')).toEqual([['performance', '2']]);
		expect(families.get('nexus_reporter_queue_depth')!.metrics.map((sample) => sample.value)).toEqual(['0', '0']);
		expect(families.get('nexus_image_cache_hits_total')!.metrics[0].value).toBe('9');
		expect(families.get('nexus_image_cache_evictions_total')!.metrics[0].value).toBe('1');
	});

	it('summarises API routes: requests, error rate, average and p95 bucket', async () => {
		const metrics = new MetricsRegistry({ shard: 0, defaultMetrics: false });
		for (let index = 0; index < 19; index++) {
			metrics.apiRequests.inc({ route: 'api/metrics', status: 200 });
			metrics.apiRequestDuration.observe({ route: 'api/metrics' }, 0.004);
		}
		metrics.apiRequests.inc({ route: 'api/metrics', status: 401 });
		metrics.apiRequestDuration.observe({ route: 'api/metrics' }, 0.2);
		metrics.apiRequests.inc({ route: 'api/health', status: 503 });
		metrics.apiRequestDuration.observe({ route: 'api/health' }, 0.02);
		const stats = await metrics.webStats();
		expect(stats[0]).toMatchObject({ route: 'api/metrics', requests: 20, clientErrors: 1, serverErrors: 0, errorRate: 0.05, p95Ms: 5 });
		expect(stats[0].avgMs).toBeCloseTo((19 * 4 + 200) / 20);
		expect(stats[1]).toMatchObject({ route: 'api/health', requests: 1, serverErrors: 1, errorRate: 1, p95Ms: 25 });
		expect(summarizeWeb([], [])).toEqual([]);

		const byType = await metrics.counterValues(metrics.apiRequests);
		expect(byType).toContainEqual({ labels: { route: 'api/health', status: '503' }, value: 1 });
	});
});
