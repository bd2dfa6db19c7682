import { describe, expect, it } from 'vitest';
import { AnalyticsReportPoster, LAST_ANALYTICS_META } from '#lib/reporting/AnalyticsReportPoster.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import type { AnalyticsSnapshot } from '#lib/stats/statsTypes.js';

const zero = { messages: 0, activeMembers: 0, voiceMinutes: 0, reactions: 0, joins: 0, leaves: 0, commands: 0, commandsFailed: 0 };

function setup(activity: (since: number, to: number) => number) {
	let now = 1_000_000_000;
	const meta = new Map<string, string>();
	const windows: [number, number][] = [];
	const posted: ReportEventInput[] = [];
	let flushes = 0;
	const poster = new AnalyticsReportPoster({
		stats: {
			store: {
				summaries: {
					analyticsSnapshot: async (since): Promise<AnalyticsSnapshot> => {
						windows.push([since, now]);
						const messages = activity(since, now);
						const guilds = messages ? [{ guildId: '1', ...zero, messages }] : [];
						return { from: since, to: now, guilds, total: { ...zero, messages } };
					}
				},
				meta: { get: async (key) => meta.get(key) ?? null, set: async (key, value) => void meta.set(key, value) }
			}
		},
		reporter: { enqueue: (_channel, input) => void posted.push(input), flush: async () => void flushes++ },
		intervalMs: 900_000,
		now: () => now
	});
	return { poster, meta, windows, posted, advance: (ms: number) => (now += ms), flushes: () => flushes };
}

describe('AnalyticsReportPoster', () => {
	it('reports contiguous windows, sends at once, and skips quiet ones (the marker still moves)', async () => {
		let quiet = false;
		const t = setup(() => (quiet ? 0 : 7));
		await t.poster.run();
		t.advance(900_000);
		quiet = true;
		await t.poster.run();
		t.advance(900_000);
		quiet = false;
		await t.poster.run();
		expect(t.windows).toEqual([
			[1_000_000_000 - 900_000, 1_000_000_000],
			[1_000_000_000, 1_000_900_000],
			[1_000_900_000, 1_001_800_000]
		]);
		expect(t.posted).toHaveLength(2);
		expect(t.flushes()).toBe(2);
		expect(t.posted[0]!.event).toBe('analytics.report');
		expect(t.meta.get(LAST_ANALYTICS_META)).toBe('1001800000');
	});

	it('after a long downtime reports at most the last 24 h', async () => {
		const t = setup(() => 1);
		await t.poster.run();
		t.advance(3 * 86_400_000);
		await t.poster.run();
		const [since, to] = t.windows[1]!;
		expect(to - since).toBe(86_400_000);
	});
});
