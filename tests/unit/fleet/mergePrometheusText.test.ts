import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { mergePrometheusText } from '#lib/fleet/mergePrometheusText.js';
import { MetricsRegistry } from '#lib/metrics/MetricsRegistry.js';

/** Every family's HELP and TYPE once, and its samples in one group right after them (what scrapers demand). */
function familyGroups(text: string): Map<string, { headers: number; groups: number }> {
	const families = new Map<string, { headers: number; groups: number }>();
	let current: string | undefined;
	let previous: string | undefined;
	for (const line of text.split('\n')) {
		const header = /^# (HELP|TYPE) (\S+)/.exec(line);
		if (header) {
			const entry = families.get(header[2]!) ?? { headers: 0, groups: 0 };
			entry.headers++;
			families.set(header[2]!, entry);
			current = header[2];
			continue;
		}
		if (!line) continue;
		if (current !== previous) families.get(current!)!.groups++;
		previous = current;
	}
	return families;
}

async function shardText(shard: number): Promise<string> {
	const metrics = new MetricsRegistry({ shard, defaultMetrics: true });
	metrics.gatewayEvents.inc({ type: 'MESSAGE_CREATE' }, 100 * (shard + 1));
	metrics.recordCommand({ command: 'guildstats', success: true, durationMs: 120 + shard });
	metrics.apiRequests.inc({ route: 'GET /api/metrics', status: '200' });
	return metrics.metricsText();
}

describe('mergePrometheusText', () => {
	it('merges three shards into one valid page: one HELP/TYPE per family, every shard series kept', async () => {
		const texts = await Promise.all([0, 1, 2].map(shardText));
		const merged = mergePrometheusText(texts);
		for (const [name, entry] of familyGroups(merged)) {
			// Families without samples (nothing observed yet) have headers only.
			expect({ name, ...entry }).toEqual({ name, headers: 2, groups: entry.groups === 0 ? 0 : 1 });
		}
		expect([...familyGroups(merged).values()].filter((entry) => entry.groups === 1).length).toBeGreaterThan(30);
		const families = parsePrometheusTextFormat(merged);
		const events = families.find((family) => family.name === 'nexus_gateway_events_total')!;
		expect(events.metrics.map((sample) => [sample.labels!.shard, Number(sample.value)])).toEqual([
			['0', 100],
			['1', 200],
			['2', 300]
		]);
		// Histograms keep their _bucket/_sum/_count lines per shard.
		expect(merged.match(/^nexus_command_duration_seconds_count\{.*\} 1$/gm)).toHaveLength(3);
		expect(merged.match(/^process_resident_memory_bytes\{shard="\d"\} \d+/gm)).toHaveLength(3);
		// Nothing lost: every sample line of every input is in the output.
		const lines = new Set(merged.split('\n'));
		for (const text of texts) for (const line of text.split('\n')) if (line && !line.startsWith('#')) expect(lines.has(line)).toBe(true);
	});

	it('keeps the first input when two carry the same series (the serving process passes its fresh text first)', () => {
		const fresh = '# HELP up Up.\n# TYPE up gauge\nup{shard="0"} 1\nup{shard="0",route="a b}c"} 5\n';
		const stale = '# HELP up Up.\n# TYPE up gauge\nup{shard="0"} 0\nup{shard="0",route="a b}c"} 4\nup{shard="1"} 1\n';
		expect(mergePrometheusText([fresh, stale])).toBe('# HELP up Up.\n# TYPE up gauge\nup{shard="0"} 1\nup{shard="0",route="a b}c"} 5\nup{shard="1"} 1\n');
	});

	it('returns an empty page for no input and passes a single input through unchanged', async () => {
		expect(mergePrometheusText([])).toBe('');
		const text = await shardText(0);
		expect(mergePrometheusText([text])).toBe(`${text.split('\n').filter(Boolean).join('\n')}\n`);
	});
});
