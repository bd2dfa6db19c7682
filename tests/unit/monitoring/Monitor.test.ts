import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '#lib/metrics/MetricsRegistry.js';
import type { DiscordProvider } from '#lib/monitoring/DiscordSampler.js';
import { Monitor } from '#lib/monitoring/Monitor.js';
import { monitorOptionsFromConfig } from '#lib/monitoring/monitorConfig.js';
import type { HealthReport, ReportChannel } from '#lib/monitoring/monitorTypes.js';
import { ProcessSampler, type ProcessSnapshot } from '#lib/monitoring/ProcessSampler.js';
import { SystemSampler, type SystemSamplerDeps } from '#lib/monitoring/SystemSampler.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import { loadConfig } from '#root/config.js';
import { processSnapshot } from './fixtures.js';

const MINUTE = 60_000;
const GB = 1024 ** 3;

function harness(overrides: { memoryAvailable?: number; heap?: (call: number) => number; p99?: number } = {}) {
	const clock = { now: Date.parse('2026-11-23T12:00:00Z') };
	const reports: { channel: ReportChannel; input: ReportEventInput }[] = [];
	const host = { available: overrides.memoryAvailable ?? 12 * GB, statTicks: 0 };
	const deps: Partial<SystemSamplerDeps> = {
		platform: 'linux',
		now: () => clock.now,
		readText: async (path) => {
			if (path === '/proc/stat') {
				host.statTicks += 1000;
				return `cpu  ${host.statTicks * 0.2} 0 0 ${host.statTicks * 0.8} 0 0 0 0\n`;
			}
			return undefined;
		},
		readDir: async () => [],
		statfs: async () => ({ bsize: 4096, blocks: 1000, bfree: 500, bavail: 500 }),
		memory: async () => ({ total: 16 * GB, available: host.available, swaptotal: 0, swapused: 0 }),
		cpus: () => [{ model: 'CPU', speed: 2000, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }],
		loadavg: () => [0.2, 0.2, 0.2],
		rss: () => 100e6,
		constrainedMemory: () => undefined
	};
	let processCalls = 0;
	class FakeProcessSampler extends ProcessSampler {
		public override async sample(): Promise<ProcessSnapshot> {
			processCalls++;
			return processSnapshot({ at: clock.now, memory: { heapUsedBytes: (overrides.heap?.(processCalls) ?? 60) * 1024 * 1024 }, eventLoop: { delayP99Ms: overrides.p99 ?? 3 } });
		}
	}
	const gateway = { ping: 45, status: 0 as number };
	const provider: DiscordProvider = {
		shards: () => [{ id: 0, ping: gateway.ping, status: gateway.status }],
		guilds: () => 12,
		users: () => 3400,
		channels: () => 180,
		uptimeMs: () => 3_600_000,
		commandsServed: () => 0
	};
	const metrics = new MetricsRegistry({ shard: 0, defaultMetrics: false });
	const monitor = new Monitor({
		report: (channel, input) => reports.push({ channel, input }),
		now: () => clock.now,
		repeatMs: 30 * MINUTE,
		systemSampler: new SystemSampler({ deps }),
		processSampler: new FakeProcessSampler(),
		discord: provider,
		metrics,
		instance: 'shard 0'
	});
	return { clock, reports, host, gateway, monitor, metrics, advance: (ms: number) => (clock.now += ms) };
}

const alerts = (reports: { channel: ReportChannel; input: ReportEventInput }[]) => reports.filter((entry) => entry.input.event.startsWith('alert.')).map((entry) => `${entry.channel} ${entry.input.event} ${entry.input.severity} ${(entry.input.data as { kind: string }).kind}`);

describe('Monitor', () => {
	let monitor: Monitor | undefined;
	afterEach(() => monitor?.stop());

	it('gateway latency over the thresholds: one WARNING, then CRITICAL, no repeats inside the window, one recovery', () => {
		const h = harness();
		monitor = h.monitor;
		for (const ping of [45, 250, 260, 640, 650, 630, 620, 300, 90, 80]) {
			h.gateway.ping = ping;
			h.monitor.sampleDiscord();
			h.advance(MINUTE);
		}
		expect(alerts(h.reports)).toEqual([
			'performance alert.networkLatency WARNING fired',
			'performance alert.networkLatency CRITICAL escalated',
			'performance alert.networkLatency INFO recovered'
		]);
		const critical = h.reports.find((entry) => entry.input.severity === 'CRITICAL')!.input;
		expect(critical.data).toMatchObject({ message: 'Discord latency 640 ms (gateway, shard 0): above the critical threshold of 500 ms', instance: 'shard 0' });
		expect(h.monitor.activeAlerts()).toEqual([]);
	});

	it('reports an unreachable Discord API once as CRITICAL and once recovered', () => {
		const h = harness();
		monitor = h.monitor;
		h.monitor.rest.recordResponse(80, 200);
		h.monitor.sampleDiscord();
		h.monitor.rest.recordFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
		h.monitor.sampleDiscord();
		h.advance(MINUTE);
		h.monitor.sampleDiscord();
		h.monitor.rest.recordResponse(80, 200);
		h.monitor.sampleDiscord();
		expect(alerts(h.reports)).toEqual(['performance alert.discordApi CRITICAL fired', 'performance alert.discordApi INFO recovered']);
	});

	it('memory watch and system sampler share one alert state (no duplicate for the same condition)', async () => {
		const h = harness({ memoryAvailable: 3 * GB });
		monitor = h.monitor;
		await h.monitor.sampleSystem();
		const check = await h.monitor.checkMemory();
		expect(check.memory.effectivePercent).toBeCloseTo(81.25);
		expect(check.alerts).toEqual([]);
		h.host.available = 12 * GB;
		await h.monitor.checkMemory();
		expect(alerts(h.reports)).toEqual(['performance alert.memory WARNING fired', 'performance alert.memory INFO recovered']);
	});

	it('raises the event-loop alert from a blocked loop sample', async () => {
		const h = harness({ p99: 280 });
		monitor = h.monitor;
		await h.monitor.sampleProcess();
		expect(alerts(h.reports)).toEqual(['performance alert.eventLoop WARNING fired']);
	});

	it("the command report counts users' mistakes by identifier in its title and data, as successes", () => {
		const h = harness();
		monitor = h.monitor;
		for (let index = 0; index < 40; index++) {
			h.monitor.commands.begin({ id: `m${index}`, command: 'guildstats settings timezone', category: 'guildstats' });
			h.monitor.commands.finish(`m${index}`, { success: true, userMistake: index < 30 ? 'GuildStatsInvalidTimezone' : 'ManageGuild', durationMs: 5 });
		}
		h.monitor.analyzeCommands();
		const report = h.reports.find((entry) => entry.input.event === 'commands.analysis')!;
		expect(report.input.severity).toBe('INFO');
		expect(report.input.title).toBe('Commands: 40 runs, 100% success, 40 user mistakes (GuildStatsInvalidTimezone ×30, ManageGuild ×10)');
		expect(report.input.data).toMatchObject({ userMistakes: [{ identifier: 'GuildStatsInvalidTimezone', count: 30 }, { identifier: 'ManageGuild', count: 10 }], errorTypes: [] });
	});

	it('reports the command analysis with error types and alerts on slow commands', () => {
		const h = harness();
		monitor = h.monitor;
		for (let index = 0; index < 10; index++) {
			h.monitor.commands.begin({ id: `i${index}`, command: 'guildstats', category: 'stats', userId: '123456789012345678' });
			h.advance(index < 5 ? 6500 : 400);
			h.monitor.commands.finish(`i${index}`, { success: index !== 3, error: index === 3 ? Object.assign(new Error('Chart render timed out'), { name: 'RenderTimeout' }) : undefined });
		}
		const analysis = h.monitor.analyzeCommands();
		expect(analysis.totals).toMatchObject({ runs: 10, failures: 1 });
		const report = h.reports.find((entry) => entry.input.event === 'commands.analysis')!;
		expect(report.channel).toBe('performance');
		expect(report.input.data).toMatchObject({ totals: { successRate: 90, p95Ms: 6500 }, errorTypes: [{ type: 'RenderTimeout', count: 1, commands: ['guildstats'], lastMessage: 'Chart render timed out' }] });
		expect(JSON.stringify(report.input.data)).not.toContain('123456789012345678');
		expect(alerts(h.reports)).toEqual(['performance alert.responseTime CRITICAL fired']);
		// An idle window sends no analysis and reads as "nothing slow".
		h.reports.length = 0;
		h.monitor.analyzeCommands();
		expect(h.reports.map((entry) => entry.input.event)).toEqual(['alert.responseTime']);
		expect(h.reports[0].input.severity).toBe('INFO');
	});

	it('builds a health report with scores, levels, trends, recommendations and the JSON attached', async () => {
		// Heap climbs 5 MB per sample (every 30 s): an increasing trend.
		const h = harness({ heap: (call) => 100 + call * 5, p99: 150 });
		monitor = h.monitor;
		h.gateway.ping = 620;
		for (let index = 0; index < 20; index++) {
			await h.monitor.sampleSystem();
			await h.monitor.sampleProcess();
			h.monitor.sampleDiscord();
			h.advance(30_000);
		}
		h.monitor.recordError('logger', 'boom');
		h.monitor.checkErrors();
		h.reports.length = 0;
		const report = h.monitor.healthReport();

		expect(report.event).toBe('health.report');
		expect(report.data.summary).toMatch(/^(🟡 Fair|🟠 Poor) \d+\/100 \(CPU \d+ · Memory \d+ · Network \d+ · Discord \d+\)\nTrends: heap ↗/);
		expect(report.data.summary).toContain('• gateway latency 620 ms on shard 0');
		expect(report.data.components.network).toMatchObject({ level: 'Poor', limitedBy: 'latency' });
		expect(report.data.components.cpu?.limitedBy).toBe('event-loop p99');
		expect(report.data.overall.level).toMatch(/Fair|Poor/);
		expect(report.data.trends.heapUsedMB).toBe('increasing');
		expect(report.data.trends.cpuPercent).toBe('stable');
		expect(report.data.recommendations.map((entry) => entry.text)).toEqual(
			expect.arrayContaining(['gateway latency 620 ms on shard 0', 'event-loop p99 150 ms: chart renders or sync work are blocking the loop', expect.stringMatching(/^heap grows 10\.0 MB\/min/)])
		);
		expect(report.data.activeAlerts.map((alert) => alert.key).sort()).toEqual(['eventLoop', 'networkLatency']);
		expect(report.data.samples).toMatchObject({ gatewayLatencyMs: 620, eventLoopP99Ms: 150, guilds: 12, errorsPerMinute: 0.2 });

		expect(h.reports).toHaveLength(1);
		const sent = h.reports[0];
		expect(sent.channel).toBe('performance');
		expect(sent.input).toMatchObject({ event: 'health.report', title: expect.stringMatching(/^Health (Fair|Poor) \(\d+\/100\)$/) });
		const attached = JSON.parse(sent.input.files![0].data.toString()) as HealthReport;
		expect(attached).toEqual(JSON.parse(JSON.stringify(report)));
		expect(Object.keys(attached)).toEqual(['event', 'timestamp', 'data']);

		const text = await h.metrics.metricsText();
		expect(text).toMatch(/nexus_health_score\{component="network",shard="0"\} \d+/);
		expect(text).toContain('nexus_alerts_active{level="WARNING",shard="0"} 1');
		expect(text).toContain('nexus_gateway_latency_seconds{shard="0"} 0.62');

		// On demand without sending.
		h.reports.length = 0;
		h.monitor.buildHealthReport();
		expect(h.reports).toEqual([]);
	});

	it('keeps a bounded history sized to the last hour at each interval', async () => {
		const h = harness();
		monitor = h.monitor;
		for (let index = 0; index < 200; index++) {
			await h.monitor.sampleProcess();
			h.advance(30_000);
		}
		const history = h.monitor.history();
		expect(history.process).toHaveLength(121);
		expect(history.process.at(-1)!.t - history.process[0].t).toBe(60 * MINUTE);
		expect(history.system).toEqual([]);
	});

	it('runs per-process jobs on its own timers and reports job failures instead of throwing', async () => {
		const reports: ReportEventInput[] = [];
		monitor = new Monitor({ report: (_channel, input) => reports.push(input), intervals: { process: 40, system: 40 }, localTimers: ['process', 'system'], eventLoopResolutionMs: 20 });
		await monitor.start();
		await sleep(200);
		expect(monitor.latest.process?.eventLoop.resolutionMs).toBe(20);
		expect(monitor.latest.system?.windowMs).toBeGreaterThan(0);
		expect(monitor.history().process.length).toBeGreaterThanOrEqual(2);
		expect(monitor.status()).toMatchObject({ enabled: true, errorCount: 0 });
		monitor.stop();
		// A sample already in flight when stop() ran may still land; after that, nothing more may.
		await sleep(60);
		const count = monitor.history().process.length;
		await sleep(120);
		expect(monitor.history().process.length).toBe(count);

		const failing = new Monitor({ report: (_channel, input) => reports.push(input), systemSampler: Object.assign(new SystemSampler(), { sample: async () => Promise.reject(new Error('no /proc')) }) });
		await failing.runJob('system');
		expect(reports.at(-1)).toMatchObject({ event: 'monitor.error', data: { job: 'system', error: 'no /proc' } });
		expect(failing.status().errorCount).toBe(1);
	});

	it('takes intervals, thresholds and the repeat window from config', () => {
		const result = loadConfig({ DISCORD_TOKEN: 'x', MONITOR_SYSTEM_INTERVAL_MS: '5000', ALERT_REPEAT_MINUTES: '10', ALERT_LATENCY_WARN_MS: '150' });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const options = monitorOptionsFromConfig(result.config);
		expect(options.intervals).toMatchObject({ system: 5000, process: 30_000, health: 300_000, commands: 180_000 });
		expect(options.repeatMs).toBe(10 * MINUTE);
		expect(options.thresholds?.networkLatencyMs).toEqual({ warn: 150, critical: 500 });
	});
});
