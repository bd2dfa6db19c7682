import type { ApiReachability } from './RestLatencyTracker.js';
import { DEFAULT_THRESHOLDS, type AlertThresholds } from './AlertThresholds.js';

export type HealthLevel = 'Excellent' | 'Good' | 'Fair' | 'Poor' | 'Critical';
export type HealthComponent = 'cpu' | 'memory' | 'network' | 'discord';
export const HEALTH_COMPONENTS: readonly HealthComponent[] = ['cpu', 'memory', 'network', 'discord'];

/** Whatever is known right now; missing inputs are left out of the score instead of guessed. */
export interface HealthInputs {
	cpuPercent?: number;
	loadPerCore?: number;
	eventLoopP99Ms?: number;
	memoryPercent?: number;
	heapPercentOfLimit?: number;
	swapPercent?: number;
	gatewayLatencyMs?: number | null;
	restP95Ms?: number;
	apiReachability?: ApiReachability;
	shardsReady?: number;
	shardCount?: number;
	/** 0..100 over the last command window. */
	commandSuccessRate?: number;
	commandP95Ms?: number;
	errorsPerMinute?: number;
}

export interface ComponentScore {
	score: number;
	level: HealthLevel;
	/** The input that set the score (the worst one). */
	limitedBy: string;
}

export interface HealthScores {
	/** `score: null` (level 'No data') until at least one input was sampled: nothing is known yet, which is not "Excellent". */
	overall: { score: number | null; level: HealthLevel | 'No data' };
	components: Partial<Record<HealthComponent, ComponentScore>>;
}

export function healthLevel(score: number): HealthLevel {
	if (score >= 90) return 'Excellent';
	if (score >= 75) return 'Good';
	if (score >= 50) return 'Fair';
	if (score >= 25) return 'Poor';
	return 'Critical';
}

/** Linear between breakpoints `[input, score]` (ascending inputs), clamped at both ends. */
export function piecewise(value: number, points: readonly (readonly [number, number])[]): number {
	if (value <= points[0][0]) return points[0][1];
	for (let index = 1; index < points.length; index++) {
		const [x1, y1] = points[index];
		if (value <= x1) {
			const [x0, y0] = points[index - 1];
			return x1 === x0 ? y1 : y0 + ((value - x0) / (x1 - x0)) * (y1 - y0);
		}
	}
	return points[points.length - 1][1];
}

const WEIGHTS: Record<HealthComponent, number> = { cpu: 0.25, memory: 0.25, network: 0.2, discord: 0.3 };
/** One component this far below the others caps the overall score: a dead gateway is never "Good". */
const OVERALL_CAP_ABOVE_WORST = 25;

/**
 * Pure 0..100 scores. Each component is the worst of its factors (a blocked event loop makes CPU
 * health poor however idle the machine is); the breakpoints sit on the alert thresholds, so a
 * value at its warning threshold scores ~75 (Good/Fair border) and at critical ~35 (Poor).
 */
export class HealthScorer {
	public constructor(private readonly thresholds: AlertThresholds = DEFAULT_THRESHOLDS) {}

	public score(inputs: HealthInputs): HealthScores {
		const t = this.thresholds;
		const cpuWarn = t.cpuPercent.warn ?? 70;
		const cpuCrit = t.cpuPercent.critical ?? 85;
		const memWarn = t.memoryPercent.warn ?? 75;
		const memCrit = t.memoryPercent.critical ?? 90;
		const latWarn = t.networkLatencyMs.warn ?? 200;
		const latCrit = t.networkLatencyMs.critical ?? 500;
		const loopWarn = t.eventLoopP99Ms.warn ?? 100;
		const respWarn = t.responseTimeMs.warn ?? 2000;
		const respCrit = t.responseTimeMs.critical ?? 5000;
		const errWarn = t.errorsPerMinute.warn ?? 5;
		const errCrit = t.errorsPerMinute.critical ?? 30;

		const components: Partial<Record<HealthComponent, ComponentScore>> = {};
		const cpu = worst([
			['cpu usage', inputs.cpuPercent, (v) => piecewise(v, [[cpuWarn * 0.7, 100], [cpuWarn, 75], [cpuCrit, 35], [100, 0]])],
			['load per core', inputs.loadPerCore, (v) => piecewise(v, [[1, 100], [2, 60], [4, 0]])],
			['event-loop p99', inputs.eventLoopP99Ms, (v) => piecewise(v, [[loopWarn * 0.2, 100], [loopWarn, 75], [loopWarn * 5, 20], [loopWarn * 10, 0]])]
		]);
		if (cpu) components.cpu = cpu;

		const memory = worst([
			['memory used', inputs.memoryPercent, (v) => piecewise(v, [[memWarn * 0.8, 100], [memWarn, 75], [memCrit, 35], [100, 0]])],
			['heap of limit', inputs.heapPercentOfLimit, (v) => piecewise(v, [[60, 100], [80, 60], [95, 10], [100, 0]])],
			['swap used', inputs.swapPercent, (v) => piecewise(v, [[20, 100], [80, 50], [100, 30]])]
		]);
		if (memory) components.memory = memory;

		const latency = maxDefined(inputs.gatewayLatencyMs ?? undefined, inputs.restP95Ms);
		const network = worst([
			['latency', latency, (v) => piecewise(v, [[latWarn * 0.5, 100], [latWarn, 75], [latCrit, 35], [latCrit * 4, 0]])],
			['API reachability', reachabilityScore(inputs.apiReachability), (v) => v]
		]);
		if (network) components.network = network;

		const shardRatio = inputs.shardCount && inputs.shardCount > 0 ? (inputs.shardsReady ?? 0) / inputs.shardCount : undefined;
		const discord = worst([
			['shards ready', shardRatio, (v) => v * 100],
			['API reachability', reachabilityScore(inputs.apiReachability), (v) => v],
			['command success rate', inputs.commandSuccessRate, (v) => piecewise(v, [[50, 0], [80, 35], [95, 80], [99, 100]])],
			['command p95', inputs.commandP95Ms, (v) => piecewise(v, [[respWarn * 0.5, 100], [respWarn, 75], [respCrit, 35], [respCrit * 2, 0]])],
			['error rate', inputs.errorsPerMinute, (v) => piecewise(v, [[errWarn * 0.2, 100], [errWarn, 75], [errCrit, 35], [errCrit * 3, 0]])]
		]);
		if (discord) components.discord = discord;

		let weighted = 0;
		let weights = 0;
		let lowest = 100;
		for (const name of HEALTH_COMPONENTS) {
			const component = components[name];
			if (!component) continue;
			weighted += component.score * WEIGHTS[name];
			weights += WEIGHTS[name];
			lowest = Math.min(lowest, component.score);
		}
		if (weights === 0) return { overall: { score: null, level: 'No data' }, components };
		const overall = Math.round(Math.min(weighted / weights, lowest + OVERALL_CAP_ABOVE_WORST));
		return { overall: { score: overall, level: healthLevel(overall) }, components };
	}
}

type Factor = [name: string, value: number | undefined, score: (value: number) => number];

function worst(factors: Factor[]): ComponentScore | undefined {
	let best: ComponentScore | undefined;
	for (const [name, value, score] of factors) {
		if (value === undefined || !Number.isFinite(value)) continue;
		const result = Math.round(Math.min(100, Math.max(0, score(value))));
		if (!best || result < best.score) best = { score: result, level: healthLevel(result), limitedBy: name };
	}
	return best;
}

function reachabilityScore(reachability: ApiReachability | undefined): number | undefined {
	switch (reachability) {
		case 'reachable':
			return 100;
		case 'degraded':
			return 40;
		case 'unreachable':
			return 0;
		default:
			return undefined;
	}
}

function maxDefined(...values: (number | undefined)[]): number | undefined {
	const known = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
	return known.length > 0 ? Math.max(...known) : undefined;
}
