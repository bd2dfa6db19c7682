import { describe, expect, it } from 'vitest';
import { collectApiMetrics, compactHistory } from '#lib/api/apiMetricsSnapshot.js';
import { MetricsRegistry } from '#lib/metrics/MetricsRegistry.js';
import { Monitor } from '#lib/monitoring/Monitor.js';
import type { ReporterChannelSnapshot, ReporterSnapshot } from '#lib/reporting/Reporter.js';
import { discordSnapshot, processSnapshot, systemSnapshot } from '../monitoring/fixtures.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

function channel(name: ReporterChannelSnapshot['channel'], queued: number, spoolBytes: number, failures = 0): ReporterChannelSnapshot {
	return {
		channel: name,
		channelId: '1',
		available: name !== 'logs',
		queued,
		urgentQueued: 0,
		backlog: false,
		sentMessages: 5,
		sentEvents: 9,
		failures: { retryable: failures, 'channel-unavailable': 0, rejected: 0 },
		droppedEvents: 1,
		rejectedEvents: 0,
		fallbackEvents: 0,
		spool: { bytes: spoolBytes, entries: spoolBytes > 0 ? 1 : 0, events: 0 }
	};
}

const reporter: ReporterSnapshot = {
	seq: 10,
	enqueued: 10,
	enqueueErrors: 0,
	internalErrors: 1,
	rateLimitWaits: 2,
	channels: { diagnostics: channel('diagnostics', 2, 0), logs: channel('logs', 3, 4096, 2), analytics: channel('analytics', 0, 0), performance: channel('performance', 1, 1024) }
};

function setup() {
	const metrics = new MetricsRegistry({ shard: 0, defaultMetrics: false });
	const monitor = new Monitor({ report: () => undefined, metrics, now: () => NOW });
	monitor.latest.system = systemSnapshot();
	monitor.latest.process = processSnapshot();
	monitor.latest.discord = discordSnapshot();
	return { metrics, monitor };
}

describe('collectApiMetrics', () => {
	it('assembles the grouped snapshot from the live services', async () => {
		const { metrics, monitor } = setup();
		for (let i = 0; i < 7; i++) metrics.gatewayEvents.inc({ type: 'MESSAGE_CREATE' });
		metrics.gatewayEvents.inc({ type: 'GUILD_CREATE' });
		metrics.apiRequests.inc({ route: 'api/metrics', status: 200 });
		metrics.apiRequests.inc({ route: 'api/metrics', status: 401 });
		monitor.commands.record({ id: 'i1', command: 'nexus status', category: 'nexus', userId: 'u', guildId: 'g', durationMs: 40, success: true });

		const body = await collectApiMetrics({
			now: NOW,
			startedAt: NOW - 90_000,
			version: '1.2.3',
			metrics,
			monitor,
			reporter: { snapshot: () => reporter },
			stats: { metrics: () => ({ flushes: 4, failures: 1, lastFlushAt: NOW - 5000, lastFlushMs: 12.34, lastFlushRows: 20, lastError: null, pendingRows: 3, pendingEvents: 8, openVoiceSessions: 2, optedOutUsers: 0 }) },
			imageCache: { stats: () => ({ hits: 3, misses: 1, dedupes: 0, hitRatio: 0.75, size: 4, max: 100, renderErrors: 0 }) as never },
			startsToday: async () => 3
		});

		expect(body.system).toMatchObject({ uptimeSeconds: 90, restartCount: 2, version: '1.2.3' });
		expect(body.discord.events).toEqual({ total: 8, byType: { MESSAGE_CREATE: 7, GUILD_CREATE: 1 } });
		expect(body.discord.commands.byCommand).toEqual([{ command: 'nexus status', runs: 1, failures: 0 }]);
		expect(body.modules.reporter).toMatchObject({ enabled: true, errorCount: 3, queueDepth: 6, spoolBytes: 5120, spoolEntries: 2, sentMessages: 20, droppedEvents: 4, rateLimitWaits: 2, unavailableChannels: ['logs'] });
		expect(body.modules.stats).toMatchObject({ enabled: true, errorCount: 1, flushes: 4, lastFlushMs: 12.3, pendingRows: 3, lastFlushAt: new Date(NOW - 5000).toISOString() });
		expect(body.modules.monitor).toMatchObject({ enabled: false, errorCount: 0 });
		expect(body.modules.charts).toMatchObject({ enabled: false, cacheHitRate: 0.75, cacheHits: 3, cacheMisses: 1 });
		expect(body.web).toMatchObject({ requests: 2, errorRate: 0.5, routes: [{ route: 'api/metrics', requests: 2, clientErrors: 1 }] });
		expect(body.health).toMatchObject({ score: expect.any(Number), level: expect.stringMatching(/Excellent|Good|Fair|Poor|Critical/), activeAlerts: [] });
		expect(body.history).toEqual({ system: [], process: [], discord: [], health: [] });
		expect(JSON.stringify(body)).not.toContain('NaN');
	});

	it('answers without the restart count when the ledger is slow or down', async () => {
		const { metrics, monitor } = setup();
		const started = performance.now();
		const slow = await collectApiMetrics({ now: NOW, startedAt: NOW, version: 'x', metrics, monitor, startsToday: () => new Promise(() => undefined) });
		expect(performance.now() - started).toBeLessThan(1000);
		expect(slow.system.restartCount).toBe(0);
		const failing = await collectApiMetrics({ now: NOW, startedAt: NOW, version: 'x', metrics, startsToday: () => Promise.reject(new Error('down')) });
		expect(failing.system.restartCount).toBe(0);
		expect(failing.health).toBeNull();
		expect(failing.modules).toEqual({});
	});
});

describe('compactHistory', () => {
	it('keeps what the charts draw, rounded to one decimal', () => {
		const compact = compactHistory({
			system: [{ t: 1, cpuPercent: 12.345, memoryPercent: 50.01, loadPerCore: 0.2, diskPercent: 40, rxBytesPerSec: 1, txBytesPerSec: 2 }],
			process: [{ t: 2, rssMB: 120.44, heapUsedMB: 60.06, eventLoopP99Ms: 11.111, eventLoopMaxMs: 30, eventLoopUtilization: 0.1, cpuPercentOfCore: 3, gcPauseMs: 1 }],
			discord: [{ t: 3, gatewayLatencyMs: null, restP95Ms: 101.99, guilds: 2, users: 9, commandsPerMinute: 0.33, shardsReady: 1 }],
			health: [{ t: 4, overall: 93, cpu: 100, memory: null, network: 90, discord: 88 }]
		});
		expect(compact).toEqual({
			system: [{ t: 1, cpu: 12.3, memory: 50 }],
			process: [{ t: 2, rssMB: 120.4, heapMB: 60.1, loopP99Ms: 11.1 }],
			discord: [{ t: 3, gatewayMs: null, restP95Ms: 102, guilds: 2, commandsPerMinute: 0.3 }],
			health: [{ t: 4, overall: 93, cpu: 100, memory: null, network: 90, discord: 88 }]
		});
	});
});
