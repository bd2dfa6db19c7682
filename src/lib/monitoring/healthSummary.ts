import type { HealthLevel } from './HealthScorer.js';
import type { HealthReport } from './monitorTypes.js';

export const LEVEL_ICONS: Record<HealthLevel, string> = { Excellent: '🟢', Good: '🟢', Fair: '🟡', Poor: '🟠', Critical: '🔴' };
export const TREND_ARROWS = { increasing: '↗', decreasing: '↘', stable: '→' } as const;
export const COMPONENT_NAMES = { cpu: 'CPU', memory: 'Memory', network: 'Network', discord: 'Discord' } as const;
export const TREND_NAMES: Record<string, string> = {
	cpuPercent: 'CPU',
	memoryPercent: 'memory',
	heapUsedMB: 'heap',
	rssMB: 'RSS',
	eventLoopP99Ms: 'event loop',
	gatewayLatencyMs: 'gateway latency',
	restP95Ms: 'REST p95'
};

/** One paragraph for the top of a report: level, component scores, moving trends, first recommendations. */
export function healthSummary(data: Omit<HealthReport['data'], 'summary'>): string {
	const components = (Object.keys(COMPONENT_NAMES) as (keyof typeof COMPONENT_NAMES)[])
		.filter((name) => data.components[name])
		.map((name) => `${COMPONENT_NAMES[name]} ${data.components[name]!.score}`)
		.join(' · ');
	const moving = Object.entries(data.trends)
		.filter(([, direction]) => direction !== 'stable')
		.map(([name, direction]) => `${TREND_NAMES[name] ?? name} ${TREND_ARROWS[direction]}`);
	const lines = [
		data.overall.score === null
			? 'No data yet: nothing has been sampled since the start (no score until the first samples).'
			: `${LEVEL_ICONS[data.overall.level as HealthLevel] ?? ''} ${data.overall.level} ${data.overall.score}/100${components ? ` (${components})` : ''}`
	];
	if (moving.length > 0) lines.push(`Trends: ${moving.join(', ')}`);
	lines.push(...(data.recommendations.length > 0 ? data.recommendations.slice(0, 5).map((entry) => `• ${entry.text}`) : ['No action needed.']));
	return lines.join('\n');
}
