import { SeededRandom } from '../../sandbox/SeededRandom.js';
import { offsetMinutes } from '../../src/lib/stats/HourBucketer.js';
import { StatsStore } from '../../src/lib/stats/StatsStore.js';
import { databaseTarget } from '../../src/lib/stats/databaseTarget.js';
import { emptyDeltas, type StatsDeltas, type StoreTotals } from '../../src/lib/stats/statsTypes.js';
import type { TrafficGuild } from './traffic.js';

/**
 * Generated past activity for the demo guild, so the demo's charts have weeks to show instead of
 * one minute. Written through the store's own write path (StatsStore.applyDeltas, one transaction
 * per day), with the guild's real member and channel ids, BEFORE the bot starts; the live minute of
 * scripted traffic then lands on top. Deterministic (seeded). summary.json reports it separately.
 */
export interface DemoHistoryOptions {
	sqlitePath: string;
	databaseUrl?: string;
	guild: TrafficGuild;
	days: number;
	/** The guild's timezone, stored first; the daily rhythm follows local time there. */
	timezone: string;
	/** History ends at the start of this hour (epoch ms, exclusive). */
	endAt: number;
	seed?: number;
}

const HOUR = 3_600_000;

export async function seedDemoHistory(options: DemoHistoryOptions): Promise<StoreTotals> {
	const { guild, days } = options;
	const rng = new SeededRandom(options.seed ?? 11);
	const store = await StatsStore.open({ ...databaseTarget(options.databaseUrl), sqlitePath: options.sqlitePath });
	try {
		await store.setGuildTimezone(guild.id, options.timezone);
		const toHour = Math.floor(options.endAt / HOUR);
		const fromHour = toHour - days * 24;
		// Zipf-like popularity: a few members and channels carry most of the traffic.
		const skewed = <T>(items: readonly T[], power = 2.2) => items[Math.min(items.length - 1, Math.floor(items.length * rng.next() ** power))]!;
		// Most members of a real community lurk: a core of regulars does the talking.
		const regulars = guild.memberIds.slice(0, Math.max(1, Math.round(guild.memberIds.length * 0.4)));
		let humans = regulars;
		let deltas: StatsDeltas = emptyDeltas();
		for (let hour = fromHour; hour < toHour; hour++) {
			// Not every regular shows up every day (the top few nearly always do).
			if ((hour - fromHour) % 24 === 0) {
				const turnout = 0.45 + 0.3 * rng.next();
				humans = regulars.filter((_, rank) => rank < 5 || rng.chance(turnout));
			}
			const localMs = hour * HOUR + offsetMinutes(options.timezone, hour * HOUR) * 60_000;
			const local = new Date(localMs);
			const hourOfDay = local.getUTCHours();
			const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6 ? 1.35 : 1;
			// Evenings peak, a smaller lunch bump, quiet nights; the community grows a little over the period.
			const rhythm = 0.08 + Math.exp(-((hourOfDay - 20.5) ** 2) / 9) + 0.35 * Math.exp(-((hourOfDay - 12.5) ** 2) / 4);
			const trend = 0.75 + (0.35 * (hour - fromHour)) / (toHour - fromHour);
			const messages = Math.round(110 * rhythm * weekend * trend * (0.75 + 0.5 * rng.next()));
			const at = hour * HOUR + 1_800_000;

			const perAuthor = new Map<string, { channelId: string; userId: string; bot: boolean; messages: number }>();
			for (let i = 0; i < messages; i++) {
				const bot = guild.botIds.length > 0 && rng.chance(0.05);
				const userId = bot ? rng.pick(guild.botIds) : skewed(humans, 1.7);
				const channelId = skewed(guild.textChannelIds, 1.8);
				const key = `${channelId}:${userId}`;
				const entry = perAuthor.get(key) ?? { channelId, userId, bot, messages: 0 };
				entry.messages++;
				perAuthor.set(key, entry);
			}
			for (const entry of perAuthor.values()) deltas.messages.push({ guildId: guild.id, threadId: '', hour, lastAt: at, ...entry });

			const reactions = Math.round(messages * 0.3);
			for (let i = 0; i < reactions; i++) {
				const channelId = skewed(guild.textChannelIds, 1.8);
				const userId = skewed(humans, 1.7);
				deltas.reactions.push({ guildId: guild.id, channelId, userId, hour, bot: false, given: 1, received: 0, added: 1, lastAt: at });
				deltas.reactions.push({ guildId: guild.id, channelId, userId: skewed(humans), hour, bot: false, given: 0, received: 1, added: 0, lastAt: 0 });
			}

			if (guild.voiceChannelIds.length > 0) {
				const voiceRhythm = 0.05 + Math.exp(-((hourOfDay - 21.5) ** 2) / 6);
				const inVoice = Math.round(9 * voiceRhythm * weekend * trend * (0.6 + 0.8 * rng.next()));
				for (let i = 0; i < inVoice; i++) {
					const seconds = rng.int(600, 3600);
					deltas.voice.push({
						guildId: guild.id,
						channelId: skewed(guild.voiceChannelIds, 1.5),
						userId: skewed(humans, 1.6),
						hour,
						bot: false,
						seconds,
						mutedSeconds: rng.chance(0.3) ? Math.floor(seconds * rng.next()) : 0,
						deafenedSeconds: rng.chance(0.08) ? Math.floor(seconds / 3) : 0,
						streamingSeconds: rng.chance(0.15) ? Math.floor(seconds * rng.next()) : 0,
						sessions: rng.chance(0.45) ? 1 : 0,
						lastAt: hour * HOUR + seconds * 1000 - 1
					});
				}
			}

			const joins = rng.chance(0.12 * trend + 0.1 * rhythm) ? rng.int(1, 2) : 0;
			const leaves = rng.chance(0.06 + 0.04 * rhythm) ? 1 : 0;
			if (joins + leaves > 0) deltas.membership.push({ guildId: guild.id, hour, bot: false, joins, leaves });

			if ((hour - fromHour) % 24 === 23 || hour === toHour - 1) {
				await store.applyDeltas(deltas, (hour + 1) * HOUR);
				deltas = emptyDeltas();
			}
		}
		return await store.summaries.totals();
	} finally {
		await store.close();
	}
}
