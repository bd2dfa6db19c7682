import type { Guild } from 'discord.js';
import { localMidnight, reportTimezone } from '#lib/guildstats/reportOptions.js';
import type { StatsReports } from '#lib/stats/StatsReports.js';
import type { StatsStore } from '#lib/stats/StatsStore.js';
import { DAY_MS } from '#lib/stats/timeBuckets.js';
import type { CounterPlaceholder, CounterValues } from './counterTemplate.js';

/** A full member list is fetched at most this often per guild (events keep it current in between). */
const MEMBER_FETCH_EVERY_MS = 10 * 60_000;

/**
 * Reads the values of counter placeholders for one guild. Member counts come from Discord (the
 * guild's member count; humans/bots from the member cache, filled once with a member fetch since
 * Discord sends big guilds without their member list); activity from the statistics store.
 */
export function counterValueReader(stats: { store: Pick<StatsStore, 'guildTimezone'> & { reports: Pick<StatsReports, 'overview'> } }, now: () => number = Date.now) {
	const fetchedAt = new Map<string, number>();
	return async (guild: Guild, placeholders: readonly CounterPlaceholder[]): Promise<CounterValues> => {
		const wanted = new Set(placeholders);
		const values: CounterValues = {};
		if (wanted.has('members')) values.members = guild.memberCount;
		if (wanted.has('humans') || wanted.has('bots')) {
			const last = fetchedAt.get(guild.id) ?? 0;
			if (guild.members.cache.size < guild.memberCount && now() - last > MEMBER_FETCH_EVERY_MS) {
				fetchedAt.set(guild.id, now());
				await guild.members.fetch();
			}
			const bots = guild.members.cache.filter((member) => member.user.bot).size;
			values.bots = bots;
			values.humans = Math.max(0, guild.memberCount - bots);
		}
		if (wanted.has('voice_now')) values.voice_now = guild.voiceStates.cache.filter((state) => state.channelId !== null).size;
		if (wanted.has('messages_today') || wanted.has('joins_today')) {
			const timezone = reportTimezone(await stats.store.guildTimezone(guild.id));
			const from = startOfLocalDay(now(), timezone);
			const today = await stats.store.reports.overview(guild.id, { range: { from, to: now() + 1 }, bucket: 'hour', timezone, members: 'humans' });
			values.messages_today = today.messages;
			const everyone = await stats.store.reports.overview(guild.id, { range: { from, to: now() + 1 }, bucket: 'hour', timezone, members: 'both' });
			values.joins_today = everyone.joins;
		}
		if (wanted.has('active_7d')) {
			const t = now();
			values.active_7d = (await stats.store.reports.overview(guild.id, { range: { from: t - 7 * DAY_MS, to: t + 1 }, bucket: 'hour', timezone: 'UTC', members: 'humans' })).activeMembers;
		}
		return values;
	};
}

function startOfLocalDay(at: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
	const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
	return localMidnight(get('year'), get('month'), get('day'), timeZone);
}
