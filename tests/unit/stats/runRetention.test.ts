import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import { runRetention } from '#lib/stats/runRetention.js';
import { StatsAggregator } from '#lib/stats/StatsAggregator.js';
import { StatsStore } from '#lib/stats/StatsStore.js';

describe('runRetention', () => {
	it('prunes past retention on a real store and reports what went to Logs as INFO; a second run prunes nothing', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'nexus-retention-'));
		const store = await StatsStore.open({ sqlitePath: join(dir, 'stats.sqlite') });
		try {
			const now = Date.now();
			const aggregator = new StatsAggregator();
			for (const daysAgo of [1, 10, 40]) aggregator.recordMessage({ guildId: '100000000000000001', channelId: '200000000000000001', userId: '300000000000000001', bot: false, at: now - daysAgo * 86_400_000 });
			await store.applyDeltas(aggregator.drain(), now);
			const reports: [string, ReportEventInput][] = [];
			const reporter = { enqueue: (channel: 'logs' | 'diagnostics' | 'analytics' | 'performance', input: ReportEventInput) => void reports.push([channel, input]) };
			const stats = { prune: (options: { hourlyDays: number; dailyDays: number }) => store.prune({ ...options, now }) };

			const first = await runRetention({ stats, reporter, hourlyDays: 7, dailyDays: 30 });
			expect(first.hourlyRows).toBeGreaterThan(0);
			expect(first.dailyRows).toBeGreaterThan(0);
			expect(reports).toHaveLength(1);
			const [channel, input] = reports[0]!;
			expect(channel).toBe('logs');
			expect(input).toMatchObject({ event: 'stats.retention', severity: 'INFO', data: { hourlyRows: first.hourlyRows, dailyRows: first.dailyRows, guildsPurged: 0, hourlyDays: 7, dailyDays: 30 } });

			const second = await runRetention({ stats, reporter, hourlyDays: 7, dailyDays: 30 });
			expect(second).toMatchObject({ hourlyRows: 0, dailyRows: 0 });
			expect(reports[1]![1].title).toBe('Retention: 0 hourly and 0 daily rows pruned');
		} finally {
			await store.close();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
