import { UserError } from '@sapphire/framework';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChartSpec } from '#lib/charts/ChartSpecs.js';
import { ImageCache } from '#lib/charts/ImageCache.js';
import { GuildStatsReports, type GuildContext, type ReportRequest } from '#lib/guildstats/GuildStatsReports.js';
import type { MemberInfo } from '#lib/guildstats/NameSource.js';
import { validateReportInput } from '#lib/guildstats/reportOptions.js';
import { StatsService } from '#lib/stats/StatsService.js';
import { openTestStore, snowflake, type TestStore } from '../stats/storeHelpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Monday 2025-01-13 23:30 UTC = Tuesday 00:30 in Berlin.
const LATE_MONDAY = Date.UTC(2025, 0, 13, 23, 30);
const NOW = LATE_MONDAY + 2 * HOUR;

/**
 * GuildStatsReports on a real store (SQLite): the options the user picks reach the queries and
 * change the figures, the cache renders once per data version, and bad targets are refused.
 */
describe('GuildStatsReports', () => {
	let test: TestStore;
	let stats: StatsService;
	let now = NOW;
	const renders: ChartSpec[] = [];
	let reports: GuildStatsReports;
	const guildId = snowflake();
	const [general, random] = [snowflake(), snowflake()];
	const [alice, bob, robot, quiet, hidden] = [snowflake(), snowflake(), snowflake(), snowflake(), snowflake()];
	let fetches: string[][] = [];
	const known = new Map<string, MemberInfo>([
		[alice, { displayName: 'Alice', bot: false, inGuild: true }],
		[bob, { displayName: 'Bob', bot: false, inGuild: true }]
	]);
	const guild: GuildContext = {
		id: guildId,
		name: 'Unit Guild',
		memberCount: 42,
		names: {
			channel: (id) => (id === general ? { name: 'general', kind: 'text' } : id === random ? { name: 'random', kind: 'text' } : null),
			members: async (ids) => {
				fetches.push([...ids]);
				return new Map(ids.filter((id) => known.has(id)).map((id) => [id, known.get(id)!]));
			}
		}
	};
	const request = (input: Parameters<typeof validateReportInput>[0], report: Omit<ReportRequest, 'options'> = { report: 'server' }) =>
		({ ...report, options: validateReportInput(input) }) as ReportRequest;
	const textField = async (req: ReportRequest, name: string) => {
		const result = await reports.run({ ...req, options: { ...req.options, graphic: 'text' } } as ReportRequest, guild);
		// The number only; the change vs the previous period (" (▲ 12 %)") is checked on its own.
		return result.embed.fields!.find((field) => field.name === name)?.value.replace(/ \(.*\)$/, '');
	};
	const textChange = async (req: ReportRequest, name: string) => {
		const result = await reports.run({ ...req, options: { ...req.options, graphic: 'text' } } as ReportRequest, guild);
		return / \((.*)\)$/.exec(result.embed.fields!.find((field) => field.name === name)?.value ?? '')?.[1] ?? null;
	};

	beforeAll(async () => {
		test = await openTestStore('sqlite', 'guildstats');
		stats = new StatsService({ store: test.store, voiceMinSeconds: 0, now: () => now, privacyRefreshMs: 0 });
		await stats.start();
		// Alice: 3 messages late on Monday (UTC) and 2 three days earlier; Bob 1; a bot 4.
		for (let i = 0; i < 3; i++) stats.recordMessage({ guildId, channelId: general, userId: alice, bot: false, at: LATE_MONDAY });
		for (let i = 0; i < 2; i++) stats.recordMessage({ guildId, channelId: random, userId: alice, bot: false, at: LATE_MONDAY - 3 * DAY });
		stats.recordMessage({ guildId, channelId: general, userId: bob, bot: false, at: LATE_MONDAY });
		for (let i = 0; i < 4; i++) stats.recordMessage({ guildId, channelId: general, userId: robot, bot: true, at: LATE_MONDAY });
		stats.recordMessage({ guildId, channelId: general, userId: hidden, bot: false, at: LATE_MONDAY });
		await stats.flush();
		await stats.optOut(hidden, 'hide');
		reports = new GuildStatsReports({
			stats,
			timezoneOf: (id) => test.store.guildTimezone(id),
			charts: { render: async (spec) => (renders.push(spec), { png: Buffer.from(`png ${renders.length}`) }) },
			cache: new ImageCache(),
			now: () => now
		});
	});

	afterAll(async () => {
		await stats?.stop();
		await test?.dispose();
	});

	it('range: 24h leaves out what is older, 7d includes it', async () => {
		expect(await textField(request({ range: '24h' }), 'Messages')).toBe('4');
		expect(await textField(request({ range: '7d' }), 'Messages')).toBe('6');
		expect(await textField(request({ since: '2025-01-12' }), 'Messages')).toBe('4');
	});

	it('change vs the previous period of the same length: "new" with nothing before, none for all time', async () => {
		expect(await textChange(request({ range: '7d' }), 'Messages')).toBe('new');
		expect(await textChange(request({ range: 'all' }), 'Messages')).toBeNull();
	});

	it('members: humans, bots, both', async () => {
		expect(await textField(request({ range: '7d', members: 'humans' }), 'Messages')).toBe('6');
		expect(await textField(request({ range: '7d', members: 'bots' }), 'Messages')).toBe('4');
		expect(await textField(request({ range: '7d', members: 'both' }), 'Messages')).toBe('10');
	});

	it('timezone: the guild zone moves late-Monday UTC activity to Tuesday 00:00 in Berlin', async () => {
		const activity = { report: 'activity', metric: 'messages' } as const;
		expect(await textField(request({ range: '24h' }, activity), 'Peak')).toBe('Mon 23:00');
		await stats.setGuildTimezone(guildId, 'Europe/Berlin');
		try {
			expect(await textField(request({ range: '24h' }, activity), 'Peak')).toBe('Tue 00:00');
			const result = await reports.run(request({ range: '24h', graphic: 'text' }), guild);
			expect(result.view.subtitle).toBe('Unit Guild · Last 24 hours · Europe/Berlin · Humans');
		} finally {
			await stats.setGuildTimezone(guildId, 'UTC');
		}
	});

	it('names come from one lookup of the listed members; opted-out members are never listed', async () => {
		fetches = [];
		const result = await reports.run(request({ range: '7d', graphic: 'text' }), guild);
		const top = result.embed.fields!.find((field) => field.name === 'Top members')!.value;
		expect(top).toBe('1. Alice — 5 messages\n2. Bob — 1 message');
		expect(fetches).toEqual([[alice, bob]]);
		expect(top).not.toContain(hidden);
	});

	it('renders once per data version; identical concurrent requests share a render', async () => {
		const before = renders.length;
		const req = request({ range: '7d', members: 'both' });
		const results = await Promise.all(Array.from({ length: 10 }, () => reports.run(req, guild)));
		expect(renders.length - before).toBe(1);
		expect(results.filter((result) => !result.image!.cached && !result.image!.deduped)).toHaveLength(1);
		expect((await reports.run(req, guild)).image!.cached).toBe(true);
		// A command run is not drawn: flushing it keeps the image.
		stats.recordCommand({ guildId, command: 'guildstats', ok: true, durationMs: 5, at: now });
		await stats.flush();
		expect((await reports.run(req, guild)).image!.cached).toBe(true);
		// A new message is: the next request renders, and shows it.
		stats.recordMessage({ guildId, channelId: general, userId: bob, bot: false, at: now - 60_000 });
		await stats.flush();
		const fresh = await reports.run(req, guild);
		expect(fresh.image!.cached).toBe(false);
		expect(fresh.embed.fields!.find((field) => field.name === 'Messages')!.value).toBe('11 (new)');
		expect(renders.length - before).toBe(2);
	});

	it('a cache hit runs no query: figures and names are kept with the image', async () => {
		const queries: string[] = [];
		const countingReports = new Proxy(stats.store.reports, {
			get(target, property, receiver) {
				const value = Reflect.get(target, property, receiver);
				if (typeof value !== 'function') return value;
				return (...args: unknown[]) => {
					if (['serverReport', 'top', 'overview', 'heatmap'].includes(String(property))) queries.push(String(property));
					return value.apply(target, args);
				};
			}
		});
		const counting = { dataVersion: (id: string) => stats.dataVersion(id), isGuildEnabled: (id: string) => stats.isGuildEnabled(id), store: { reports: countingReports } };
		const isolated = new GuildStatsReports({ stats: counting, timezoneOf: (id) => test.store.guildTimezone(id), charts: { render: async () => ({ png: Buffer.from('x') }) }, cache: new ImageCache(), now: () => now });
		fetches = [];
		const first = await isolated.run(request({ range: '7d' }), guild);
		expect(queries).toEqual(['serverReport']);
		const second = await isolated.run(request({ range: '7d' }), guild);
		expect(second.image!.cached).toBe(true);
		expect(second.embed).toEqual({ ...first.embed, footer: second.embed.footer });
		// The text variant of the same report reuses the kept figures too.
		await isolated.run(request({ range: '7d', graphic: 'text' }), guild);
		expect(queries).toEqual(['serverReport']);
		expect(fetches).toHaveLength(1);
	});

	it('the cache key follows the hour: the next hour renders again', async () => {
		const req = request({ range: '24h' });
		await reports.run(req, guild);
		expect((await reports.run(req, guild)).image!.cached).toBe(true);
		now += HOUR;
		try {
			expect((await reports.run(req, guild)).image!.cached).toBe(false);
		} finally {
			now -= HOUR;
		}
	});

	it('member: figures of one member; opted out, unknown and data-less bots are refused', async () => {
		const member = (id: string, extra: { bot?: boolean; inGuild?: boolean } = {}) =>
			({ report: 'member', options: validateReportInput({ range: '7d', graphic: 'text' }), member: { id, name: `m${id.slice(-3)}`, bot: extra.bot ?? false, inGuild: extra.inGuild ?? true } }) as ReportRequest;
		const result = await reports.run(member(alice), guild);
		expect(result.embed.fields!.find((field) => field.name === 'Messages')!.value).toBe('5 (new)');
		await expect(reports.run(member(hidden), guild)).rejects.toThrow(/opted out/);
		await expect(reports.run(member(snowflake(), { bot: true }), guild)).rejects.toThrow(/is a bot with no recorded activity/);
		await expect(reports.run(member(snowflake(), { inGuild: false }), guild)).rejects.toThrow(UserError);
		// A member who simply has no activity gets the (empty) report, not an error.
		const idle = await reports.run(member(quiet), guild);
		expect(idle.embed.fields!.find((field) => field.name === 'Messages')!.value).toBe('0');
	});

	it('a disabled guild says so', async () => {
		await stats.setGuildEnabled(guildId, false);
		try {
			const result = await reports.run(request({ range: '7d', graphic: 'text' }), guild);
			expect(result.embed.description).toMatch(/Statistics are disabled in this server/);
		} finally {
			await stats.setGuildEnabled(guildId, true);
		}
	});
});
