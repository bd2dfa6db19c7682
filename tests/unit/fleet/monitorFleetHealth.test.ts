import { describe, expect, it } from 'vitest';
import { Monitor } from '#lib/monitoring/Monitor.js';
import type { FleetHealth } from '#lib/monitoring/monitorTypes.js';

const fleet = (overrides: Partial<FleetHealth> = {}): FleetHealth => ({
	shardCount: 3,
	shardsReady: 3,
	worstLatencyMs: 40,
	worstShard: 0,
	line: 'Fleet: 3/3 shards ready · worst gateway 40 ms (shard 0) · 9 guilds',
	details: { shards: '3/3 ready', perShard: [] },
	...overrides
});

describe('Monitor health report with a fleet provider', () => {
	it('scores shards ready and gateway latency over the whole fleet and carries the fleet view', () => {
		let view = fleet();
		const monitor = new Monitor({ report: () => undefined, fleet: () => view });
		const healthy = monitor.buildHealthReport();
		expect(healthy.data.fleet).toEqual(view.details);
		expect(healthy.data.samples.shards).toBe('3/3 ready (fleet)');
		expect(healthy.data.summary.split('\n').at(-1)).toBe(view.line);

		// Another shard is down and one is slow: the report of THIS (healthy) process says so.
		view = fleet({ shardsReady: 1, worstLatencyMs: 900, worstShard: 2, line: 'Fleet: 1/3 shards ready' });
		const degraded = monitor.buildHealthReport();
		expect(degraded.data.samples.shards).toBe('1/3 ready (fleet)');
		expect(degraded.data.samples.gatewayLatencyMs).toBe(900);
		expect(degraded.data.components.discord!.score).toBeLessThan(healthy.data.components.discord!.score);
		expect(degraded.data.overall.score).toBeLessThan(healthy.data.overall.score!);
	});

	it('without a provider (single process) the report has no fleet part', () => {
		const report = new Monitor({ report: () => undefined }).buildHealthReport();
		expect(report.data.fleet).toBeNull();
		expect(report.data.summary).not.toMatch(/Fleet/);
	});
});
