import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';
import type { ReportOptions } from '#lib/stats/statsTypes.js';
import { schemaColumns } from '../support/storeSchema.js';
import { startStack, stopBot, type Stack } from './support/stack.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PG = 'postgres://postgres@127.0.0.1:5432/test';

/** The same capture script against both store dialects: a gateway event in, a DB row out. */
describe.each([
	{ dialect: 'sqlite', databaseUrl: undefined as string | undefined },
	{ dialect: 'postgres', databaseUrl: `${PG}?schema=e2e_capture_${randomBytes(4).toString('hex')}` }
])('capture into $dialect', ({ databaseUrl }) => {
	let stack: Stack;
	let guildId: string;
	let text: string[];
	let voice: string[];
	let humans: string[];
	let bots: string[];
	const sent = { messagesA: 0 };
	let voiceMs = { first: 0, second: 0 };

	const openStore = () => StatsStore.open({ ...databaseTarget(databaseUrl), sqlitePath: stack.bot.env.SQLITE_PATH! });
	const allTime = (): ReportOptions => ({ range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' });

	beforeAll(async () => {
		stack = await startStack({ env: { DATABASE_URL: databaseUrl, VOICE_MIN_SESSION_SECONDS: '1', STATS_FLUSH_INTERVAL_MS: '60000' } });
		const guild = [...stack.sandbox.state.guilds.values()][0]!;
		guildId = guild.id;
		const channels = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!);
		text = channels.filter((channel) => channel.type === 0).map((channel) => channel.id);
		voice = channels.filter((channel) => channel.type === 2).map((channel) => channel.id);
		const members = [...guild.members.values()].filter((member) => member.user.id !== stack.sandbox.botUser.id && !guild.voiceStates.has(member.user.id));
		humans = members.filter((member) => !member.user.bot).map((member) => member.user.id);
		bots = members.filter((member) => member.user.bot).map((member) => member.user.id);

		const { sandbox } = stack;
		// Messages: member A 5 in channel 0, member B 3 in channel 1, a bot 2 in channel 0.
		const aMessages = [];
		for (let i = 0; i < 5; i++) aMessages.push(sandbox.sendMessage({ guildId, channelId: text[0]!, authorId: humans[0]! }));
		for (let i = 0; i < 3; i++) sandbox.sendMessage({ guildId, channelId: text[1]!, authorId: humans[1]! });
		for (let i = 0; i < 2; i++) sandbox.sendMessage({ guildId, channelId: text[0]!, authorId: bots[0]! });
		// Reactions: B reacts 3 times on A's messages, removes one -> B gave 2, A received 2.
		for (let i = 0; i < 3; i++) sandbox.addReaction({ guildId, channelId: text[0]!, messageId: aMessages[i]!.id, userId: humans[1]! });
		sandbox.removeReaction({ guildId, channelId: text[0]!, messageId: aMessages[0]!.id, userId: humans[1]! });
		// Membership: 2 joins, 1 leave.
		sandbox.memberAdd({ guildId });
		sandbox.memberAdd({ guildId });
		sandbox.memberRemove({ guildId, userId: humans[5]! });
		// Voice: C joins voice 0, moves to voice 1, mutes, leaves.
		const c = humans[2]!;
		const t0 = Date.now();
		sandbox.voiceUpdate({ guildId, userId: c, channelId: voice[0]! });
		await sleep(2000);
		const t1 = Date.now();
		sandbox.voiceUpdate({ guildId, userId: c, channelId: voice[1]! });
		await sleep(1000);
		sandbox.voiceUpdate({ guildId, userId: c, channelId: voice[1]!, selfMute: true });
		await sleep(1500);
		sandbox.voiceUpdate({ guildId, userId: c, channelId: null });
		const t2 = Date.now();
		voiceMs = { first: t1 - t0, second: t2 - t1 };
		sent.messagesA = 5;
		await sleep(300);
		// SIGTERM flushes everything (the flush interval is a minute, so nothing was written before).
		const { code } = await stopBot(stack.bot);
		expect(code).toBe(0);
	});

	afterAll(async () => {
		await stack?.stop();
	});

	it('counts messages per channel and member, humans and bots apart', async () => {
		const store = await openStore();
		try {
			const a = await store.reports.memberStats(guildId, humans[0]!, allTime());
			expect(a.totals.messages).toBe(5);
			expect(a.totals.reactionsReceived).toBe(2);
			const b = await store.reports.memberStats(guildId, humans[1]!, allTime());
			expect(b.totals.messages).toBe(3);
			expect(b.totals.reactionsGiven).toBe(2);
			const channel0 = await store.reports.channelStats(guildId, text[0]!, allTime());
			expect(channel0.totals.messages).toBe(7);
			const humansOnly = await store.reports.overview(guildId, { ...allTime(), members: 'humans' });
			expect(humansOnly.messages).toBe(8);
			const everyone = await store.reports.overview(guildId, allTime());
			expect(everyone.messages).toBe(10);
			expect(everyone.joins).toBe(2);
			expect(everyone.leaves).toBe(1);
			expect(everyone.reactions).toBe(2);
		} finally {
			await store.close();
		}
	});

	it('measures voice per channel: join -> move -> mute -> leave', async () => {
		const store = await openStore();
		try {
			const c = await store.reports.memberStats(guildId, humans[2]!, allTime());
			const byChannel = new Map(c.topChannels.map((entry) => [entry.channelId, entry.voiceSeconds]));
			expect(Math.abs(byChannel.get(voice[0]!)! - voiceMs.first / 1000)).toBeLessThanOrEqual(1);
			expect(Math.abs(byChannel.get(voice[1]!)! - voiceMs.second / 1000)).toBeLessThanOrEqual(1);
			expect(Math.abs(c.totals.voiceSeconds - (voiceMs.first + voiceMs.second) / 1000)).toBeLessThanOrEqual(1);
			const voiceReport = await store.reports.voiceStats(guildId, allTime());
			// Members seeded in voice (some muted) count from the bot's start; C adds ~1.5 muted seconds.
			expect(voiceReport.totals.mutedSeconds).toBeGreaterThanOrEqual(1);
		} finally {
			await store.close();
		}
	});

	it('never stores message content: no content-like column in any table', async () => {
		const store = await openStore();
		try {
			const columns = await schemaColumns(store);
			expect(columns.length).toBeGreaterThan(20);
			expect(columns.filter(({ column }) => /content|text|body|message_content|attachment|embed/i.test(column))).toEqual([]);
		} finally {
			await store.close();
		}
	});
});
