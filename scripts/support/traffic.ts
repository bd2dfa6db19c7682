import { SeededRandom } from '../../sandbox/SeededRandom.js';
import type { DiscordSandbox } from '../../sandbox/index.js';

/**
 * Scripted, deterministic traffic for the demo, the e2e tests and the benchmarks: the same seed
 * gives the same actions, so a 1-shard and a 3-shard run can be compared number for number.
 */
export interface TrafficGuild {
	id: string;
	textChannelIds: string[];
	voiceChannelIds: string[];
	/** Human members who may talk; members already in voice at startup are left out of voice scripts. */
	memberIds: string[];
	botIds: string[];
	inVoiceIds: string[];
}

export type TrafficAction =
	| { at: number; kind: 'message'; guildId: string; channelId: string; authorId: string; ref: number }
	| { at: number; kind: 'reaction'; guildId: string; channelId: string; messageRef: number; userId: string; emoji: string; remove: boolean }
	| { at: number; kind: 'voice'; guildId: string; userId: string; channelId: string | null; selfMute?: boolean; selfDeaf?: boolean; selfStream?: boolean }
	| { at: number; kind: 'join'; guildId: string }
	| { at: number; kind: 'leave'; guildId: string; userId: string };

export interface TrafficOptions {
	seed?: number;
	/** Length of the script in ms (default one minute). */
	durationMs?: number;
	messagesPerGuild?: number;
	reactionsPerGuild?: number;
	voiceSessionsPerGuild?: number;
	joinsPerGuild?: number;
	leavesPerGuild?: number;
}

export interface TrafficTotals {
	messages: number;
	botMessages: number;
	reactions: number;
	voiceSessions: number;
	/** Seconds between the voice join and leave dispatches as actually sent (wall clock). */
	voiceSeconds: number;
	joins: number;
	leaves: number;
}

const EMOJI = ['👍', '🎉', '😂', '❤️', '🔥', '👀'];

/** Reads what a seeded guild offers the script, from the sandbox's state. */
export function trafficGuilds(sandbox: DiscordSandbox, exclude: { channelIds?: string[] } = {}): TrafficGuild[] {
	const skip = new Set(exclude.channelIds ?? []);
	return [...sandbox.state.guilds.values()].map((guild) => {
		const channels = [...guild.channelIds].map((id) => sandbox.state.channels.get(id)!).filter((channel) => !skip.has(channel.id));
		const inVoiceIds = [...guild.voiceStates.keys()];
		const members = [...guild.members.values()].filter((member) => member.user.id !== sandbox.botUser.id);
		return {
			id: guild.id,
			textChannelIds: channels.filter((channel) => channel.type === 0).map((channel) => channel.id),
			voiceChannelIds: channels.filter((channel) => channel.type === 2).map((channel) => channel.id),
			memberIds: members.filter((member) => !member.user.bot).map((member) => member.user.id),
			botIds: members.filter((member) => member.user.bot).map((member) => member.user.id),
			inVoiceIds
		};
	});
}

/** A realistic mix: a few chatty members and channels, reactions on recent messages, voice sessions with moves and mutes. */
export function planTraffic(guilds: TrafficGuild[], options: TrafficOptions = {}): TrafficAction[] {
	const rng = new SeededRandom(options.seed ?? 7);
	const duration = options.durationMs ?? 60_000;
	const actions: TrafficAction[] = [];
	let ref = 0;
	for (const guild of guilds) {
		// Zipf-like: the first members and channels get most of the traffic, as in real communities.
		const skewed = <T>(items: T[]) => items[Math.min(items.length - 1, Math.floor(items.length * rng.next() ** 2.2))]!;
		const talkers = guild.memberIds.filter((id) => !guild.inVoiceIds.includes(id));
		const messages: { ref: number; channelId: string; at: number }[] = [];
		for (let i = 0; i < (options.messagesPerGuild ?? 400); i++) {
			const bot = guild.botIds.length > 0 && rng.chance(0.05);
			const channelId = skewed(guild.textChannelIds);
			const at = Math.floor(rng.next() * duration * 0.9);
			actions.push({ at, kind: 'message', guildId: guild.id, channelId, authorId: bot ? rng.pick(guild.botIds) : skewed(talkers), ref });
			messages.push({ ref, channelId, at });
			ref++;
		}
		for (let i = 0; i < (options.reactionsPerGuild ?? 120); i++) {
			const target = rng.pick(messages);
			const at = target.at + rng.int(200, 4000);
			const userId = skewed(talkers);
			const emoji = rng.pick(EMOJI);
			actions.push({ at, kind: 'reaction', guildId: guild.id, channelId: target.channelId, messageRef: target.ref, userId, emoji, remove: false });
			// Some reactions are taken back: the store must count the net.
			if (rng.chance(0.1)) actions.push({ at: at + rng.int(500, 3000), kind: 'reaction', guildId: guild.id, channelId: target.channelId, messageRef: target.ref, userId, emoji, remove: true });
		}
		const voiceUsers = talkers.slice(-Math.max(1, options.voiceSessionsPerGuild ?? 8));
		for (const userId of voiceUsers) {
			if (guild.voiceChannelIds.length === 0) break;
			const start = rng.int(0, Math.floor(duration * 0.3));
			const end = Math.min(duration - 1000, start + rng.int(Math.floor(duration * 0.35), Math.floor(duration * 0.65)));
			const first = rng.pick(guild.voiceChannelIds);
			actions.push({ at: start, kind: 'voice', guildId: guild.id, userId, channelId: first });
			const middle = Math.floor((start + end) / 2);
			if (rng.chance(0.5)) actions.push({ at: middle, kind: 'voice', guildId: guild.id, userId, channelId: first, selfMute: true });
			else if (guild.voiceChannelIds.length > 1) actions.push({ at: middle, kind: 'voice', guildId: guild.id, userId, channelId: guild.voiceChannelIds.find((id) => id !== first)! });
			actions.push({ at: end, kind: 'voice', guildId: guild.id, userId, channelId: null });
		}
		for (let i = 0; i < (options.joinsPerGuild ?? 6); i++) actions.push({ at: rng.int(0, duration - 1), kind: 'join', guildId: guild.id });
		const leavers = talkers.slice(0, -voiceUsers.length).slice(-(options.leavesPerGuild ?? 3));
		for (const userId of leavers) actions.push({ at: rng.int(Math.floor(duration * 0.9), duration - 1), kind: 'leave', guildId: guild.id, userId });
	}
	return actions.sort((a, b) => a.at - b.at);
}

/**
 * Plays the actions in real time (scaled by `speed`), dispatching through the sandbox's gateway, and
 * returns what was actually sent. Voice seconds are measured from the real send times, which is what
 * the bot measures too.
 */
export async function playTraffic(sandbox: DiscordSandbox, actions: TrafficAction[], options: { speed?: number; signal?: AbortSignal } = {}): Promise<TrafficTotals> {
	const speed = options.speed ?? 1;
	const totals: TrafficTotals = { messages: 0, botMessages: 0, reactions: 0, voiceSessions: 0, voiceSeconds: 0, joins: 0, leaves: 0 };
	const messageIds = new Map<number, string>();
	const voiceSince = new Map<string, number>();
	const started = Date.now();
	for (const action of actions) {
		if (options.signal?.aborted) break;
		const wait = started + action.at / speed - Date.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		switch (action.kind) {
			case 'message': {
				const message = sandbox.sendMessage({ guildId: action.guildId, channelId: action.channelId, authorId: action.authorId });
				messageIds.set(action.ref, message.id);
				if (message.author?.bot) totals.botMessages++;
				else totals.messages++;
				break;
			}
			case 'reaction': {
				const messageId = messageIds.get(action.messageRef);
				if (!messageId) break;
				const reaction = { guildId: action.guildId, channelId: action.channelId, messageId, userId: action.userId, emoji: action.emoji };
				if (action.remove) sandbox.removeReaction(reaction);
				else sandbox.addReaction(reaction);
				totals.reactions += action.remove ? -1 : 1;
				break;
			}
			case 'voice': {
				const key = `${action.guildId}:${action.userId}`;
				sandbox.voiceUpdate({ guildId: action.guildId, userId: action.userId, channelId: action.channelId, selfMute: action.selfMute, selfDeaf: action.selfDeaf, selfStream: action.selfStream });
				if (action.channelId && !voiceSince.has(key)) voiceSince.set(key, Date.now());
				if (!action.channelId && voiceSince.has(key)) {
					totals.voiceSessions++;
					totals.voiceSeconds += (Date.now() - voiceSince.get(key)!) / 1000;
					voiceSince.delete(key);
				}
				break;
			}
			case 'join':
				sandbox.memberAdd({ guildId: action.guildId });
				totals.joins++;
				break;
			case 'leave':
				sandbox.memberRemove({ guildId: action.guildId, userId: action.userId });
				totals.leaves++;
				break;
		}
	}
	totals.voiceSeconds = Math.round(totals.voiceSeconds);
	return totals;
}
