import type { APIEmbed } from 'discord.js';
import type { HealthLevel } from './HealthScorer.js';
import { COMPONENT_NAMES, LEVEL_ICONS, TREND_ARROWS, TREND_NAMES } from './healthSummary.js';
import type { HealthReport } from './monitorTypes.js';

const LEVEL_COLORS: Record<HealthLevel, number> = { Excellent: 0x57f287, Good: 0x3ba55c, Fair: 0xfee75c, Poor: 0xf0a030, Critical: 0xed4245 };

/** The `/nexus health` embed (Discord limits respected: ≤ 25 fields, values ≤ 1024, description ≤ 4096). */
export function buildHealthEmbed(report: HealthReport): APIEmbed {
	const { data } = report;
	const level = data.overall.level as HealthLevel;
	const fields: NonNullable<APIEmbed['fields']> = [];
	for (const name of Object.keys(COMPONENT_NAMES) as (keyof typeof COMPONENT_NAMES)[]) {
		const component = data.components[name];
		if (!component) continue;
		fields.push({ name: `${LEVEL_ICONS[component.level]} ${COMPONENT_NAMES[name]}`, value: `${component.level} ${component.score}/100\nlimited by ${component.limitedBy}`, inline: true });
	}
	const s = data.samples;
	const facts: [string, unknown, string][] = [
		['CPU', s.cpuPercent, '%'],
		['Memory', s.memoryPercent, '%'],
		['Heap', s.heapUsedMB, ' MB'],
		['RSS', s.rssMB, ' MB'],
		['Event loop p99', s.eventLoopP99Ms, ' ms'],
		['Gateway', s.gatewayLatencyMs, ' ms'],
		['REST p95', s.restP95Ms, ' ms'],
		['Errors', s.errorsPerMinute, '/min']
	];
	const shown = facts.filter(([, value]) => value !== null && value !== undefined).map(([label, value, unit]) => `${label} ${value}${unit}`);
	if (shown.length > 0) fields.push({ name: 'Samples', value: shown.join(' · ').slice(0, 1024) });
	if (data.activeAlerts.length > 0) {
		fields.push({ name: 'Active alerts', value: data.activeAlerts.map((alert) => `${alert.level === 'CRITICAL' ? '🔴' : '🟠'} ${alert.label}${alert.detail ? ` (${alert.detail})` : ''}`).join('\n').slice(0, 1024) });
	}
	const trendText = Object.entries(data.trends)
		.map(([name, direction]) => `${TREND_NAMES[name] ?? name} ${TREND_ARROWS[direction]}`)
		.join(' · ');
	if (trendText) fields.push({ name: 'Trends (last hour)', value: trendText.slice(0, 1024) });
	const recommendations = data.recommendations.length > 0 ? data.recommendations.map((entry) => `• ${entry.text}`).join('\n') : 'No action needed.';
	return {
		title: `Health: ${data.overall.score === null ? 'no data yet' : `${level} (${data.overall.score}/100)`}${data.instance ? ` · ${data.instance}` : ''}`.slice(0, 256),
		color: LEVEL_COLORS[level] ?? 0x5865f2,
		description: recommendations.slice(0, 4096),
		fields: fields.slice(0, 25),
		timestamp: report.timestamp
	};
}
