import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportChannelName } from '#root/config.js';
import { DailySummaryPoster, LAST_SUMMARY_META, type DailySummaryPosterOptions } from '#lib/reporting/DailySummaryPoster.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import { SummaryClaims } from '#lib/reporting/SummaryClaims.js';
import { addDays, utcDay } from '#lib/reporting/summaryDays.js';
import type { DailySummary } from '#lib/stats/statsTypes.js';

let redis: Redis;
const prefixes: string[] = [];

beforeAll(() => {
	redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false });
});
afterAll(async () => {
	for (const prefix of prefixes) {
		const keys = await redis.keys(`${prefix}*`);
		if (keys.length) await redis.del(...keys);
	}
	await redis.quit();
});

const NOW = Date.UTC(2026, 10, 23, 0, 0, 30);
const TODAY = utcDay(NOW);

const emptySummary = (day: string): DailySummary => ({
	day,
	guilds: [{ guildId: '1', messages: 5, activeMembers: 2, voiceMinutes: 0, reactions: 0, joins: 0, leaves: 0, commands: 0, commandsFailed: 0, topChannels: [] }],
	overall: { messages: 5, activeMembers: 2, voiceMinutes: 0, reactions: 0, joins: 0, leaves: 0, commands: 0, commandsFailed: 0 },
	botGuildJoins: 0,
	botGuildLeaves: 0
});

/** A fleet sharing one store (meta) and one Redis prefix; each `process()` is a poster with its own claims token. */
function fleet(initialMarker: string | null) {
	const prefix = `test:summary:${randomBytes(6).toString('hex')}:`;
	prefixes.push(prefix);
	const meta = new Map<string, string>();
	if (initialMarker) meta.set(LAST_SUMMARY_META, initialMarker);
	const posted: { process: number; day: string; input: ReportEventInput }[] = [];
	const logs: string[] = [];
	const storeMeta = {
		get: async (key: string) => {
			await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
			return meta.get(key) ?? null;
		},
		set: async (key: string, value: string) => {
			await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
			meta.set(key, value);
		}
	};
	let processes = 0;
	const process = (overrides: Partial<DailySummaryPosterOptions> = {}) => {
		const id = processes++;
		const claims = new SummaryClaims({ redis, prefix });
		return new DailySummaryPoster({
			stats: { store: { summaries: { dailySummary: async (day) => emptySummary(day) }, meta: storeMeta } },
			reporter: {
				deliver: async (channel: ReportChannelName, input: ReportEventInput) => {
					expect(channel).toBe('analytics');
					posted.push({ process: id, day: String(input.data?.Day).slice(0, 10), input });
					return 'sent' as const;
				}
			},
			claims,
			charts: () => ({ renderRanking: async () => Buffer.from('PNG') }),
			now: () => NOW,
			sleep: async () => undefined,
			log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
			...overrides
		});
	};
	return { prefix, meta, posted, logs, process };
}

describe('DailySummaryPoster', () => {
	it('first run ever: sets the marker to yesterday and posts nothing', async () => {
		const f = fleet(null);
		expect(await f.process().run()).toEqual({ posted: [], elsewhere: [], skipped: 0 });
		expect(f.meta.get(LAST_SUMMARY_META)).toBe(addDays(TODAY, -1));
		expect(f.posted).toEqual([]);
	});

	it('three processes racing (ready + task runs, repeated): each missed day posted exactly once, oldest first', async () => {
		const f = fleet(addDays(TODAY, -4));
		const posters = [f.process(), f.process(), f.process()];
		await Promise.all(posters.flatMap((poster) => [poster.run(), poster.run(), poster.run()]));
		// Some process may have stopped at a day pending elsewhere; one more round settles it, still without duplicates.
		await Promise.all(posters.map((poster) => poster.run()));
		const days = f.posted.map((post) => post.day);
		expect(days.sort()).toEqual([addDays(TODAY, -3), addDays(TODAY, -2), addDays(TODAY, -1)]);
		expect(f.meta.get(LAST_SUMMARY_META)).toBe(addDays(TODAY, -1));
		expect(await redis.get(`${f.prefix}${addDays(TODAY, -1)}`)).toBe('done');
		expect(await redis.ttl(`${f.prefix}${addDays(TODAY, -1)}`)).toBeGreaterThan(6 * 86_400);
		// Per process, days go out in order.
		for (const id of [0, 1, 2]) {
			const own = f.posted.filter((post) => post.process === id).map((post) => post.day);
			expect(own).toEqual([...own].sort());
		}
		// Nothing left to do.
		expect((await posters[0]!.run()).posted).toEqual([]);
	});

	it('attaches the chart and the JSON; posts without the chart if rendering fails', async () => {
		const f = fleet(addDays(TODAY, -2));
		await f.process({ charts: () => ({ renderRanking: async () => Promise.reject(new Error('canvas broke')) }) }).run();
		expect(f.posted).toHaveLength(1);
		expect(f.posted[0]!.input.files!.map((file) => file.name)).toEqual([`daily-summary-${addDays(TODAY, -1)}.json`]);
		expect(f.logs.some((line) => line.includes('chart') && line.includes('canvas broke'))).toBe(true);

		const g = fleet(addDays(TODAY, -2));
		await g.process().run();
		expect(g.posted[0]!.input.files!.map((file) => file.name)).toEqual([`daily-summary-${addDays(TODAY, -1)}.png`, `daily-summary-${addDays(TODAY, -1)}.json`]);
		const json = JSON.parse(g.posted[0]!.input.files![1]!.data.toString('utf8')) as { event: string; data: { day: string } };
		expect(json).toMatchObject({ event: 'summary.daily', data: { day: addDays(TODAY, -1) } });
	});

	it('a failed build releases the claim and keeps the marker, so the next run posts the day', async () => {
		const f = fleet(addDays(TODAY, -2));
		let fail = true;
		const poster = f.process({
			stats: {
				store: {
					summaries: {
						dailySummary: async (day) => {
							if (fail) throw new Error('database is locked');
							return emptySummary(day);
						}
					},
					meta: { get: async (key) => f.meta.get(key) ?? null, set: async (key, value) => void f.meta.set(key, value) }
				}
			}
		});
		await expect(poster.run()).rejects.toThrow('database is locked');
		expect(await redis.exists(`${f.prefix}${addDays(TODAY, -1)}`)).toBe(0);
		expect(f.meta.get(LAST_SUMMARY_META)).toBe(addDays(TODAY, -2));
		fail = false;
		expect((await poster.run()).posted).toEqual([addDays(TODAY, -1)]);
	});

	it('a day pending in another process stops the run without moving the marker', async () => {
		const f = fleet(addDays(TODAY, -3));
		await redis.set(`${f.prefix}${addDays(TODAY, -2)}`, 'pending:other', 'EX', 60);
		const result = await f.process().run();
		expect(result).toEqual({ posted: [], elsewhere: [addDays(TODAY, -2)], skipped: 0 });
		expect(f.meta.get(LAST_SUMMARY_META)).toBe(addDays(TODAY, -3));
		// The owner finished it: the next run skips it and posts the day after.
		await redis.set(`${f.prefix}${addDays(TODAY, -2)}`, 'done');
		expect(await f.process().run()).toEqual({ posted: [addDays(TODAY, -1)], elsewhere: [addDays(TODAY, -2)], skipped: 0 });
		expect(f.meta.get(LAST_SUMMARY_META)).toBe(addDays(TODAY, -1));
	});

	it('a claim whose owner died mid-post: looked at again once it expired, then posted here', async () => {
		const f = fleet(addDays(TODAY, -2));
		const key = `${f.prefix}${addDays(TODAY, -1)}`;
		await redis.set(key, 'pending:crashed-process', 'PX', 150);
		expect((await f.process({ retryPendingMs: 300 }).run()).elsewhere).toEqual([addDays(TODAY, -1)]);
		expect(f.posted).toEqual([]);
		await new Promise((resolve) => setTimeout(resolve, 600));
		expect(f.posted.map((post) => post.day)).toEqual([addDays(TODAY, -1)]);
		expect(await redis.get(key)).toBe('done');
		expect(f.meta.get(LAST_SUMMARY_META)).toBe(addDays(TODAY, -1));
	});

	it('marks the day done only once the summary is sent or spooled: an owner killed before that leaves the day to the next run', async () => {
		const f = fleet(addDays(TODAY, -2));
		const key = `${f.prefix}${addDays(TODAY, -1)}`;
		// The reporter never confirms (the process is SIGKILLed while the summary waits to be sent).
		void f
			.process({ claims: new SummaryClaims({ redis, prefix: f.prefix, pendingTtlMs: 200 }), reporter: { deliver: () => new Promise<never>(() => undefined) } })
			.run();
		await new Promise((resolve) => setTimeout(resolve, 80));
		expect(await redis.get(key)).toMatch(/^pending:/);
		expect(f.meta.get(LAST_SUMMARY_META)).toBe(addDays(TODAY, -2));
		await new Promise((resolve) => setTimeout(resolve, 250));
		// The claim expired: the next run (another process, or this one restarted) posts the day.
		expect((await f.process().run()).posted).toEqual([addDays(TODAY, -1)]);
		expect(await redis.get(key)).toBe('done');
	});

	it('fencing: a process that stalled past its claim neither posts nor marks a day another process took over', async () => {
		const f = fleet(addDays(TODAY, -2));
		const key = `${f.prefix}${addDays(TODAY, -1)}`;
		let releaseBuild: () => void = () => undefined;
		const stalled = f
			.process({
				claims: new SummaryClaims({ redis, prefix: f.prefix, pendingTtlMs: 100 }),
				stats: {
					store: {
						summaries: {
							dailySummary: async (day) => {
								await new Promise<void>((resolve) => (releaseBuild = resolve));
								return emptySummary(day);
							}
						},
						meta: { get: async (k) => f.meta.get(k) ?? null, set: async (k, value) => void f.meta.set(k, value) }
					}
				}
			})
			.run();
		await new Promise((resolve) => setTimeout(resolve, 200));
		// Its claim expired while it stalled: another process claims and posts the day.
		expect((await f.process().run()).posted).toEqual([addDays(TODAY, -1)]);
		releaseBuild();
		const late = await stalled;
		expect(late.posted).toEqual([]);
		expect(f.posted.map((post) => post.day)).toEqual([addDays(TODAY, -1)]);
		expect(await redis.get(key)).toBe('done');
		expect(f.logs.some((line) => line.includes('another process has the day'))).toBe(true);
	});

	it('waits for the last flushes of the day after midnight, and flushes its own counters first', async () => {
		const f = fleet(addDays(TODAY, -2));
		const slept: number[] = [];
		let clock = NOW;
		let flushed = 0;
		await f
			.process({
				settleMs: 65_000,
				now: () => clock,
				sleep: async (ms) => {
					slept.push(ms);
					clock += ms;
				},
				stats: {
					flush: async () => void flushed++,
					store: { summaries: { dailySummary: async (day) => emptySummary(day) }, meta: { get: async (key) => f.meta.get(key) ?? null, set: async (key, value) => void f.meta.set(key, value) } }
				}
			})
			.run();
		// 00:00:30 + 35 s = 00:01:05, in slices of at most a second.
		expect(slept.reduce((sum, ms) => sum + ms, 0)).toBe(35_000);
		expect(Math.max(...slept)).toBe(1000);
		expect(flushed).toBe(1);
		expect(f.posted).toHaveLength(1);
	});

	it('a shutdown during that wait ends the run at once without posting or claiming', async () => {
		const f = fleet(addDays(TODAY, -2));
		let clock = NOW;
		let draining = false;
		const result = await f
			.process({
				settleMs: 65_000,
				now: () => clock,
				stopping: () => draining,
				sleep: async (ms) => {
					clock += ms;
					if (clock > NOW + 3000) draining = true;
				}
			})
			.run();
		expect(result.posted).toEqual([]);
		expect(clock - NOW).toBeLessThanOrEqual(5000);
		expect(f.posted).toEqual([]);
		expect(await redis.exists(`${f.prefix}${addDays(TODAY, -1)}`)).toBe(0);
		expect(f.meta.get(LAST_SUMMARY_META)).toBe(addDays(TODAY, -2));
	});

	it('posts at most the last 7 missed days and says how many older ones it skipped', async () => {
		const f = fleet(addDays(TODAY, -30));
		const result = await f.process().run();
		expect(result.posted).toHaveLength(7);
		expect(result.posted[0]).toBe(addDays(TODAY, -7));
		expect(result.skipped).toBe(22);
		expect(f.logs.some((line) => line.includes('22 missed day(s)'))).toBe(true);
	});
});
