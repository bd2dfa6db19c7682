import { describe, expect, it } from 'vitest';
import { HealthScorer, healthLevel, piecewise } from '#lib/monitoring/HealthScorer.js';

describe('healthLevel', () => {
	it('maps the documented bands, edges included', () => {
		expect([100, 90, 89, 75, 74, 50, 49, 25, 24, 0].map(healthLevel)).toEqual(['Excellent', 'Excellent', 'Good', 'Good', 'Fair', 'Fair', 'Poor', 'Poor', 'Critical', 'Critical']);
	});
});

describe('piecewise', () => {
	it('interpolates between breakpoints and clamps outside', () => {
		const points = [
			[10, 100],
			[20, 50],
			[30, 0]
		] as const;
		expect(piecewise(0, points)).toBe(100);
		expect(piecewise(15, points)).toBe(75);
		expect(piecewise(25, points)).toBe(25);
		expect(piecewise(99, points)).toBe(0);
	});
});

describe('HealthScorer', () => {
	const scorer = new HealthScorer();

	it('scores a healthy bot Excellent in every component', () => {
		const scores = scorer.score({
			cpuPercent: 12,
			loadPerCore: 0.2,
			eventLoopP99Ms: 3,
			memoryPercent: 30,
			heapPercentOfLimit: 5,
			swapPercent: 0,
			gatewayLatencyMs: 45,
			restP95Ms: 90,
			apiReachability: 'reachable',
			shardsReady: 2,
			shardCount: 2,
			commandSuccessRate: 100,
			commandP95Ms: 300,
			errorsPerMinute: 0
		});
		expect(scores.overall).toEqual({ score: 100, level: 'Excellent' });
		for (const component of ['cpu', 'memory', 'network', 'discord'] as const) expect(scores.components[component]?.level).toBe('Excellent');
	});

	it('puts a value at its warning threshold on the Good/Fair border and at critical in Poor', () => {
		expect(scorer.score({ cpuPercent: 70 }).components.cpu?.score).toBe(75);
		expect(scorer.score({ cpuPercent: 85 }).components.cpu?.level).toBe('Poor');
		expect(scorer.score({ memoryPercent: 75 }).components.memory?.score).toBe(75);
		expect(scorer.score({ memoryPercent: 90 }).components.memory?.level).toBe('Poor');
		expect(scorer.score({ memoryPercent: 99 }).components.memory?.level).toBe('Critical');
		expect(scorer.score({ gatewayLatencyMs: 200 }).components.network?.score).toBe(75);
		expect(scorer.score({ gatewayLatencyMs: 500 }).components.network?.level).toBe('Poor');
	});

	it('takes the worst factor of a component and says which it was', () => {
		const cpu = scorer.score({ cpuPercent: 5, loadPerCore: 0.1, eventLoopP99Ms: 280 }).components.cpu!;
		expect(cpu.limitedBy).toBe('event-loop p99');
		expect(cpu.score).toBeLessThan(60);
		const network = scorer.score({ gatewayLatencyMs: 40, restP95Ms: 620 }).components.network!;
		expect(network.limitedBy).toBe('latency');
		expect(network.level).toBe('Poor');
	});

	it('scores an unreachable API as Critical for network and Discord, and caps the overall', () => {
		const scores = scorer.score({ cpuPercent: 5, memoryPercent: 20, gatewayLatencyMs: 40, apiReachability: 'unreachable', shardsReady: 1, shardCount: 1 });
		expect(scores.components.network?.score).toBe(0);
		expect(scores.components.discord?.score).toBe(0);
		// Weighted would be 50 (Fair); one dead component caps the overall at worst + 25.
		expect(scores.overall.score).toBe(25);
		expect(scores.overall.level).toBe('Poor');
	});

	it('weights components and ignores missing ones', () => {
		// cpu 75 (at warn), memory 100 -> (75*0.25 + 100*0.25) / 0.5 = 87.5
		const scores = scorer.score({ cpuPercent: 70, memoryPercent: 10 });
		expect(scores.components.network).toBeUndefined();
		expect(scores.overall.score).toBe(88);
		expect(scores.overall.level).toBe('Good');
	});

	it('with no samples yet says "no data", not 100', () => {
		expect(scorer.score({}).overall).toEqual({ score: null, level: 'No data' });
	});

	it('reflects shards that are not ready and failing commands in the Discord score', () => {
		expect(scorer.score({ shardsReady: 1, shardCount: 2 }).components.discord?.score).toBe(50);
		const failing = scorer.score({ shardsReady: 1, shardCount: 1, commandSuccessRate: 70 }).components.discord!;
		expect(failing.limitedBy).toBe('command success rate');
		expect(failing.level).toBe('Critical');
	});

	it('follows configured thresholds', () => {
		const strict = new HealthScorer({
			memoryPercent: { warn: 50, critical: 60 },
			cpuPercent: { warn: 30, critical: 40 },
			responseTimeMs: { warn: 500, critical: 1000 },
			networkLatencyMs: { warn: 50, critical: 100 },
			diskPercent: { critical: 80 },
			eventLoopP99Ms: { warn: 20 },
			errorsPerMinute: { warn: 1, critical: 2 }
		});
		expect(strict.score({ cpuPercent: 30 }).components.cpu?.score).toBe(75);
		expect(strict.score({ gatewayLatencyMs: 100 }).components.network?.level).toBe('Poor');
	});
});
