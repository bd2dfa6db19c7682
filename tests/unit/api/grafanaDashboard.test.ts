import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '#lib/metrics/MetricsRegistry.js';

interface Panel {
	id: number;
	type: string;
	title: string;
	gridPos: { x: number; y: number; w: number; h: number };
	targets?: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(new URL('../../../grafana/nexus-dashboard.json', import.meta.url), 'utf8')) as { uid: string; panels: Panel[]; templating: { list: { name: string }[] } };
const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

/** Series names of the registry as Prometheus sees them (histograms as _bucket/_sum/_count). */
async function exposedNames(): Promise<Set<string>> {
	const registry = new MetricsRegistry({ shard: 0 });
	const text = await registry.metricsText();
	const names = new Set<string>();
	for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
		const [, name, type] = match;
		if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
		else names.add(name!);
	}
	return names;
}

describe('grafana/nexus-dashboard.json', () => {
	it('queries only series that /metrics exposes', async () => {
		const names = await exposedNames();
		const used = new Set(expressions.flatMap(({ expr }) => [...expr.matchAll(/\b((?:nexus|process|nodejs)_[a-z0-9_]+)\b/g)].map((match) => match[1]!)));
		expect(used.size).toBeGreaterThan(15);
		for (const name of used) expect(names, name).toContain(name);
	});

	it('covers what operators asked for', () => {
		const all = expressions.map(({ expr }) => expr).join('\n');
		for (const needle of [
			'rate(nexus_gateway_events_total',
			'sum by (status) (rate(nexus_commands_total',
			'histogram_quantile(0.95, sum by (le, command) (rate(nexus_command_duration_seconds_bucket',
			'max by (shard) (nexus_gateway_latency_seconds',
			'histogram_quantile(0.95, sum by (le, route_class) (rate(nexus_rest_latency_seconds_bucket',
			'nexus_reporter_queue_depth',
			'nexus_reporter_spool_bytes',
			'nexus_image_cache_hits_total',
			'nexus_image_cache_misses_total',
			'min by (component) (nexus_health_score'
		])
			expect(all, needle).toContain(needle);
	});

	it('is importable: unique panel ids, a datasource variable, panels that do not overlap', () => {
		expect(dashboard.uid).toBe('nexus-bot');
		expect(dashboard.templating.list.map((variable) => variable.name)).toEqual(['datasource', 'job', 'instance']);
		const ids = dashboard.panels.map((panel) => panel.id);
		expect(new Set(ids).size).toBe(ids.length);
		const cells = new Set<string>();
		for (const panel of dashboard.panels) {
			expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
			for (let x = panel.gridPos.x; x < panel.gridPos.x + panel.gridPos.w; x++)
				for (let y = panel.gridPos.y; y < panel.gridPos.y + panel.gridPos.h; y++) {
					expect(cells.has(`${x},${y}`), `${panel.title} overlaps at ${x},${y}`).toBe(false);
					cells.add(`${x},${y}`);
				}
		}
		for (const { panel, expr } of expressions) {
			// Balanced parentheses and braces: a typo here only shows up as "bad_data" in Grafana.
			let depth = 0;
			for (const char of expr) {
				if (char === '(' || char === '{') depth++;
				if (char === ')' || char === '}') depth--;
				expect(depth, panel).toBeGreaterThanOrEqual(0);
			}
			expect(depth, panel).toBe(0);
		}
	});
});
