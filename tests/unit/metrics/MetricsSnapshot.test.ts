import { describe, expect, it } from 'vitest';
import { buildMetricsSnapshot } from '#lib/metrics/MetricsSnapshot.js';
import { discordSnapshot, processSnapshot, systemSnapshot } from '../monitoring/fixtures.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('buildMetricsSnapshot', () => {
	it('groups the services snapshots as system, discord, modules, web and health', () => {
		const snapshot = buildMetricsSnapshot({
			now: NOW,
			startedAt: NOW - 3_600_000,
			restartCount: 2,
			version: '0.1.0',
			system: systemSnapshot(),
			process: processSnapshot({ eventLoop: { delayP99Ms: 12.345 } }),
			discord: discordSnapshot(),
			commandTotals: { nexus: { runs: 3, failures: 0 }, guildstats: { runs: 40, failures: 2 } },
			gatewayEvents: { MESSAGE_CREATE: 1200, GUILD_MEMBER_ADD: 4 },
			modules: [
				{ name: 'reporter', enabled: true, startedAt: NOW - 3_500_000, errorCount: 1, details: { queueDepth: 3, spoolBytes: 0 } },
				{ name: 'charts', enabled: true, startedAt: NOW - 3_500_000, errorCount: 0, details: { hitRate: 0.82 } }
			],
			web: [{ route: 'api/metrics', requests: 10, serverErrors: 0, clientErrors: 2, errorRate: 0.2, avgMs: 3.21, p95Ms: 5 }],
			health: {
				at: NOW - 60_000,
				scores: { overall: { score: 93, level: 'Excellent' }, components: { cpu: { score: 100, level: 'Excellent', limitedBy: 'cpu usage' } } },
				activeAlerts: [{ key: 'memory', label: 'Memory', level: 'WARNING', since: NOW - 600_000, lastSentAt: NOW - 600_000, value: 78.123, threshold: 75, unit: '%' }]
			}
		});

		expect(snapshot.generatedAt).toBe('2026-11-23T12:00:00.000Z');
		expect(snapshot.system).toMatchObject({ uptimeSeconds: 3600, restartCount: 2, version: '0.1.0', eventLoop: { p99Ms: 12.35 }, memory: { rssBytes: 150e6, hostUsedPercent: 25 }, cpu: { cores: 4, hostUsagePercent: 12 } });
		expect(snapshot.discord).toMatchObject({ guilds: 12, users: 3400, channels: 180, gatewayLatencyMs: { max: 45 }, rest: { p95Ms: 110, reachability: 'reachable' } });
		expect(snapshot.discord.shards).toEqual([{ id: 0, status: 'READY', pingMs: 45 }]);
		expect(snapshot.discord.commands.byCommand).toEqual([
			{ command: 'guildstats', runs: 40, failures: 2 },
			{ command: 'nexus', runs: 3, failures: 0 }
		]);
		expect(snapshot.discord.events).toEqual({ total: 1204, byType: { MESSAGE_CREATE: 1200, GUILD_MEMBER_ADD: 4 } });
		expect(snapshot.modules.reporter).toEqual({ enabled: true, startedAt: new Date(NOW - 3_500_000).toISOString(), errorCount: 1, queueDepth: 3, spoolBytes: 0 });
		expect(snapshot.modules.charts.hitRate).toBe(0.82);
		expect(snapshot.web).toMatchObject({ requests: 10, errorRate: 0.2, routes: [{ route: 'api/metrics', avgMs: 3.21 }] });
		expect(snapshot.health).toMatchObject({ score: 93, level: 'Excellent', activeAlerts: [{ key: 'memory', level: 'WARNING', value: 78.12, detail: null }] });
	});

	it('gives nulls, never NaN, when samples are missing', () => {
		const snapshot = buildMetricsSnapshot({ now: NOW, startedAt: NOW - 1000, restartCount: 0, discord: discordSnapshot({ rest: { count: 0, p50Ms: Number.NaN, p95Ms: Number.NaN } }) });
		const json = JSON.stringify(snapshot);
		expect(json).not.toContain('NaN');
		expect(snapshot.system.memory.rssBytes).toBeNull();
		expect(snapshot.system.eventLoop.p99Ms).toBeNull();
		expect(snapshot.discord.rest?.p95Ms).toBeNull();
		expect(snapshot.health).toBeNull();
		expect(snapshot.web).toEqual({ requests: 0, errorRate: 0, routes: [] });
		expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(snapshot)));
	});
});
