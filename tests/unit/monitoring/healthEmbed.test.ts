import { describe, expect, it } from 'vitest';
import { buildHealthEmbed } from '#lib/monitoring/healthEmbed.js';
import { healthSummary } from '#lib/monitoring/healthSummary.js';
import type { HealthReport } from '#lib/monitoring/monitorTypes.js';

function report(overrides: Partial<HealthReport['data']> = {}): HealthReport {
	const data: Omit<HealthReport['data'], 'summary'> = {
		instance: 'shard 0',
		overall: { score: 58, level: 'Fair' },
		components: {
			cpu: { score: 52, level: 'Fair', limitedBy: 'event-loop p99' },
			memory: { score: 100, level: 'Excellent', limitedBy: 'memory used' },
			network: { score: 38, level: 'Poor', limitedBy: 'latency' },
			discord: { score: 100, level: 'Excellent', limitedBy: 'shards ready' }
		},
		trends: { cpuPercent: 'stable', heapUsedMB: 'increasing', gatewayLatencyMs: 'increasing' },
		trendDetails: {},
		recommendations: [
			{ severity: 'CRITICAL', component: 'network', text: 'gateway latency 620 ms on shard 0' },
			{ severity: 'WARNING', component: 'cpu', text: 'event-loop p99 150 ms: chart renders or sync work are blocking the loop' }
		],
		activeAlerts: [{ key: 'networkLatency', label: 'Discord latency', level: 'CRITICAL', since: 0, lastSentAt: 0, value: 620, threshold: 500, unit: 'ms', detail: 'gateway, shard 0' }],
		samples: { cpuPercent: 12, memoryPercent: 40, heapUsedMB: 180, rssMB: 260, eventLoopP99Ms: 150, gatewayLatencyMs: 620, restP95Ms: null, errorsPerMinute: 0 },
		...overrides
	};
	return { event: 'health.report', timestamp: '2026-11-23T12:00:00.000Z', data: { summary: healthSummary(data), ...data } };
}

describe('health embed and summary', () => {
	it('summarises level, component scores, moving trends and recommendations', () => {
		expect(report().data.summary).toBe(
			[
				'🟡 Fair 58/100 (CPU 52 · Memory 100 · Network 38 · Discord 100)',
				'Trends: heap ↗, gateway latency ↗',
				'• gateway latency 620 ms on shard 0',
				'• event-loop p99 150 ms: chart renders or sync work are blocking the loop'
			].join('\n')
		);
		expect(healthSummary({ ...report().data, recommendations: [], trends: { cpuPercent: 'stable' } })).toBe('🟡 Fair 58/100 (CPU 52 · Memory 100 · Network 38 · Discord 100)\nNo action needed.');
	});

	it('before any sample: "no data yet", not a score', () => {
		const empty = report({ overall: { score: null, level: 'No data' }, components: {}, recommendations: [], trends: {} });
		expect(buildHealthEmbed(empty).title).toBe('Health: no data yet · shard 0');
		expect(healthSummary(empty.data)).toContain('No data yet');
		expect(healthSummary(empty.data)).not.toContain('/100');
	});

	it('builds a /nexus health embed within Discord limits', () => {
		const embed = buildHealthEmbed(report());
		expect(embed.title).toBe('Health: Fair (58/100) · shard 0');
		expect(embed.color).toBe(0xfee75c);
		expect(embed.description).toContain('• gateway latency 620 ms on shard 0');
		expect(embed.fields?.map((field) => field.name)).toEqual(['🟡 CPU', '🟢 Memory', '🟠 Network', '🟢 Discord', 'Samples', 'Active alerts', 'Trends (last hour)']);
		expect(embed.fields?.[0].value).toBe('Fair 52/100\nlimited by event-loop p99');
		expect(embed.fields?.[4].value).toBe('CPU 12% · Memory 40% · Heap 180 MB · RSS 260 MB · Event loop p99 150 ms · Gateway 620 ms · Errors 0/min');
		expect(embed.fields?.[5].value).toBe('🔴 Discord latency (gateway, shard 0)');

		const many = buildHealthEmbed(report({ recommendations: Array.from({ length: 200 }, (_, index) => ({ severity: 'INFO' as const, component: 'cpu' as const, text: `recommendation number ${index} with some words` })) }));
		expect(many.description!.length).toBeLessThanOrEqual(4096);
		for (const field of many.fields ?? []) expect(field.value.length).toBeLessThanOrEqual(1024);
	});
});
