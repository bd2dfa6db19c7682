import { describe, expect, it } from 'vitest';
import { StatsAggregator } from '#lib/stats/StatsAggregator.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 10);
const hour0 = T0 / H;

describe('StatsAggregator', () => {
	it('counts messages per guild/channel/member/hour; thread messages once, under the parent, with the thread id', () => {
		const aggregator = new StatsAggregator();
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'u', bot: false, at: T0 });
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'u', bot: false, at: T0 + 10 });
		aggregator.recordMessage({ guildId: 'g', channelId: 'thread', parentChannelId: 'c', userId: 'u', bot: false, at: T0 + 20 });
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'u', bot: false, at: T0 + H });
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'b', bot: true, at: T0 });
		const { messages } = aggregator.drain();
		const find = (userId: string, threadId: string, hour: number) => messages.find((row) => row.userId === userId && row.threadId === threadId && row.hour === hour);
		expect(messages).toHaveLength(4);
		expect(find('u', '', hour0)).toMatchObject({ channelId: 'c', messages: 2, lastAt: T0 + 10, bot: false });
		expect(find('u', 'thread', hour0)).toMatchObject({ channelId: 'c', messages: 1 });
		expect(find('u', '', hour0 + 1)?.messages).toBe(1);
		expect(find('b', '', hour0)).toMatchObject({ bot: true, messages: 1 });
	});

	it('counts reactions given by the reactor and received by the author, net of removals', () => {
		const aggregator = new StatsAggregator();
		aggregator.recordReaction({ guildId: 'g', channelId: 'c', userId: 'r', authorId: 'a', delta: 1, at: T0 });
		aggregator.recordReaction({ guildId: 'g', channelId: 'c', userId: 'r', authorId: 'a', delta: 1, at: T0 + 1 });
		aggregator.recordReaction({ guildId: 'g', channelId: 'c', userId: 'r', authorId: 'a', delta: -1, at: T0 + 2 });
		aggregator.recordReaction({ guildId: 'g', channelId: 'c', userId: 'r', delta: 1, at: T0 + 3 }); // author unknown
		aggregator.recordReaction({ guildId: 'g', channelId: 'c', userId: 'x', authorId: 'a', delta: 1, at: T0 }, { given: true });
		const { reactions } = aggregator.drain();
		expect(reactions.find((row) => row.userId === 'r')).toMatchObject({ given: 2, added: 3, received: 0, lastAt: T0 + 3 });
		expect(reactions.find((row) => row.userId === 'a')).toMatchObject({ given: 0, received: 2 });
		expect(reactions.find((row) => row.userId === 'x')).toBeUndefined();
	});

	it('splits voice segments at hour boundaries and counts the session once', () => {
		const aggregator = new StatsAggregator();
		const from = T0 / 1000 + 3600 - 100;
		aggregator.recordVoice({ guildId: 'g', channelId: 'v', userId: 'u', bot: false, fromSec: from, toSec: from + 400, muted: true, deafened: false, streaming: true, sessionStart: true });
		const { voice } = aggregator.drain();
		expect(voice).toHaveLength(2);
		expect(voice[0]).toMatchObject({ hour: hour0, seconds: 100, mutedSeconds: 100, streamingSeconds: 100, deafenedSeconds: 0, sessions: 1 });
		expect(voice[1]).toMatchObject({ hour: hour0 + 1, seconds: 300, mutedSeconds: 300, sessions: 0 });
		expect(voice[1].lastAt).toBe((from + 400) * 1000 - 1);
	});

	it('drain() returns only rows changed since the last drain, then starts empty', () => {
		const aggregator = new StatsAggregator();
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'u', bot: false, at: T0 });
		aggregator.recordMemberJoin({ guildId: 'g', userId: 'n', at: T0 });
		aggregator.recordCommand({ guildId: null, command: 'ping', ok: false, durationMs: 12.4, at: T0 });
		aggregator.recordGuildJoin({ guildId: 'g2', at: T0 });
		expect(aggregator.size).toBe(4);
		const first = aggregator.drain();
		expect(first.membership[0]).toMatchObject({ joins: 1, leaves: 0 });
		expect(first.commands[0]).toMatchObject({ guildId: '', ok: 0, failed: 1, durationMs: 12 });
		expect(first.botGuilds[0]).toMatchObject({ guildId: 'g2', joins: 1 });
		expect(aggregator.size).toBe(0);
		aggregator.recordMessage({ guildId: 'g', channelId: 'c2', userId: 'u', bot: false, at: T0 });
		const second = aggregator.drain();
		expect(second.messages).toHaveLength(1);
		expect(second.messages[0].channelId).toBe('c2');
		expect(second.membership).toHaveLength(0);
	});

	it('restore() merges drained deltas with newer increments', () => {
		const aggregator = new StatsAggregator();
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'u', bot: false, at: T0 });
		aggregator.recordReaction({ guildId: 'g', channelId: 'c', userId: 'u', authorId: 'a', delta: 1, at: T0 });
		aggregator.recordMemberLeave({ guildId: 'g', userId: 'l', at: T0 });
		const drained = aggregator.drain();
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'u', bot: false, at: T0 + 5 });
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'v', bot: false, at: T0 + 5 });
		aggregator.restore(drained);
		const merged = aggregator.drain();
		expect(merged.messages.find((row) => row.userId === 'u')).toMatchObject({ messages: 2, lastAt: T0 + 5 });
		expect(merged.messages.find((row) => row.userId === 'v')?.messages).toBe(1);
		expect(merged.reactions.find((row) => row.userId === 'a')?.received).toBe(1);
		expect(merged.membership[0].leaves).toBe(1);
		// The drained objects themselves were not mutated by the merge.
		expect(drained.messages[0].messages).toBe(1);
	});

	it('dropUser and dropGuild forget pending rows', () => {
		const aggregator = new StatsAggregator();
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'u', bot: false, at: T0 });
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'v', bot: false, at: T0 });
		aggregator.recordMessage({ guildId: 'h', channelId: 'c', userId: 'v', bot: false, at: T0 });
		aggregator.dropUser('u');
		expect(aggregator.drain().messages.map((row) => row.userId).sort()).toEqual(['v', 'v']);
		aggregator.recordMessage({ guildId: 'g', channelId: 'c', userId: 'v', bot: false, at: T0 });
		aggregator.recordMessage({ guildId: 'h', channelId: 'c', userId: 'v', bot: false, at: T0 });
		aggregator.dropGuild('g');
		expect(aggregator.drain().messages.map((row) => row.guildId)).toEqual(['h']);
	});
});
