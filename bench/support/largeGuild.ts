// A large synthetic guild in the statistics store: 10k members (1% bots), 500 channels (50 voice),
// 90 days of hourly activity with a daily and weekly rhythm and Zipf popularity (s = 1) of members
// and channels: ~60 members post in an average hour (~1.1k a day), ~6.5k messages a day. Written through StatsStore.applyDeltas (one transaction per day), so every derived
// table is exactly what real flushes would have produced. Deterministic (seeded).
import { StatsStore } from '../../src/lib/stats/StatsStore.js';
import { emptyDeltas, type StatsDeltas } from '../../src/lib/stats/statsTypes.js';
import { HOUR_MS } from '../../src/lib/stats/timeBuckets.js';

export const LARGE_GUILD_ID = '900000000000000001';

export interface LargeGuildOptions {
	members?: number;
	channels?: number;
	days?: number;
	/** Average members posting per hour (the daily rhythm swings around it). Default 60. */
	activePerHour?: number;
	/** Guild timezone stored before seeding (local-day counts are made in it). Default 'UTC'. */
	timezone?: string;
	/** The last generated hour ends here (epoch ms). */
	endAt?: number;
	seed?: number;
}

export interface LargeGuildInfo {
	guildId: string;
	fromHour: number;
	toHour: number;
	members: number;
	channels: number;
	messages: number;
	deltaRows: number;
}

function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const memberId = (index: number) => String(300000000000000000n + BigInt(index));
const channelId = (index: number) => String(400000000000000000n + BigInt(index));

/** Fills `store` with the guild (the store should be empty for LARGE_GUILD_ID). */
export async function seedLargeGuild(store: StatsStore, options: LargeGuildOptions = {}): Promise<LargeGuildInfo> {
	const members = options.members ?? 10_000;
	const channels = options.channels ?? 500;
	const days = options.days ?? 90;
	const activePerHour = options.activePerHour ?? 60;
	const random = seeded(options.seed ?? 7);
	// Data ends at endAt (its last hour is the one before).
	const toHour = Math.floor((options.endAt ?? Date.now()) / HOUR_MS);
	const fromHour = toHour - days * 24;
	const voiceChannels = Math.max(1, Math.floor(channels / 10));
	const textChannels = channels - voiceChannels;
	// Zipf (s = 1) by inverse CDF: rank r has probability ~ 1 / r, a small core and a long tail.
	const zipf = (count: number) => Math.min(count - 1, Math.floor(count ** random()) - 1);
	const pickMember = () => zipf(members);
	const pickText = () => zipf(textChannels);
	const pickVoice = () => textChannels + zipf(voiceChannels);
	if (options.timezone) await store.setGuildTimezone(LARGE_GUILD_ID, options.timezone);
	const isBot = (index: number) => index % 100 === 99;
	let messages = 0;
	let deltaRows = 0;
	let deltas: StatsDeltas = emptyDeltas();
	for (let hour = fromHour; hour < toHour; hour++) {
		const hourOfDay = ((hour % 24) + 24) % 24;
		const weekend = Math.floor(hour / 24) % 7 >= 2 && Math.floor(hour / 24) % 7 <= 3 ? 1.3 : 1;
		const rhythm = 0.25 + Math.exp(-((hourOfDay - 20) ** 2) / 20) + 0.4 * Math.exp(-((hourOfDay - 13) ** 2) / 8);
		const active = Math.max(1, Math.round(activePerHour * rhythm * weekend * (0.8 + 0.4 * random())));
		const at = hour * HOUR_MS + 1_800_000;
		const seen = new Set<number>();
		for (let k = 0; k < active; k++) {
			const member = pickMember();
			if (seen.has(member)) continue;
			seen.add(member);
			const userId = memberId(member);
			const bot = isBot(member);
			const posts = 1 + Math.floor(random() * 2);
			for (let p = 0; p < posts; p++) {
				const count = 1 + Math.floor(random() * 5);
				const thread = random() < 0.05;
				const channel = channelId(pickText());
				deltas.messages.push({ guildId: LARGE_GUILD_ID, channelId: channel, threadId: thread ? channelId(1000 + (member % 50)) : '', userId, hour, bot, messages: count, lastAt: at });
				messages += count;
			}
			if (random() < 0.4) {
				const author = memberId(pickMember());
				const channel = channelId(pickText());
				const count = 1 + Math.floor(random() * 4);
				deltas.reactions.push({ guildId: LARGE_GUILD_ID, channelId: channel, userId, hour, bot, given: count, received: 0, added: count, lastAt: at });
				deltas.reactions.push({ guildId: LARGE_GUILD_ID, channelId: channel, userId: author, hour, bot: false, given: 0, received: count, added: 0, lastAt: 0 });
			}
		}
		const inVoice = Math.round(active / 5);
		for (let k = 0; k < inVoice; k++) {
			const member = pickMember();
			const seconds = 300 + Math.floor(random() * 3300);
			deltas.voice.push({
				guildId: LARGE_GUILD_ID,
				channelId: channelId(pickVoice()),
				userId: memberId(member),
				hour,
				bot: isBot(member),
				seconds,
				mutedSeconds: random() < 0.3 ? Math.floor(seconds / 2) : 0,
				deafenedSeconds: random() < 0.1 ? Math.floor(seconds / 4) : 0,
				streamingSeconds: random() < 0.1 ? seconds : 0,
				sessions: random() < 0.5 ? 1 : 0,
				lastAt: hour * HOUR_MS + Math.min(seconds * 1000, HOUR_MS - 1)
			});
		}
		deltas.membership.push({ guildId: LARGE_GUILD_ID, hour, bot: false, joins: Math.floor(random() * 4), leaves: Math.floor(random() * 3) });
		deltas.commands.push({ guildId: LARGE_GUILD_ID, command: 'guildstats', hour, ok: Math.floor(random() * 5), failed: random() < 0.1 ? 1 : 0, durationMs: 400 });
		if ((hour - fromHour) % 24 === 23 || hour === toHour - 1) {
			deltaRows += mergeCount(deltas);
			await store.applyDeltas(deltas, (hour + 1) * HOUR_MS);
			deltas = emptyDeltas();
		}
	}
	return { guildId: LARGE_GUILD_ID, fromHour, toHour, members, channels, messages, deltaRows };
}

function mergeCount(deltas: StatsDeltas): number {
	return deltas.messages.length + deltas.reactions.length + deltas.voice.length + deltas.membership.length + deltas.commands.length;
}
