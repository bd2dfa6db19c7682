import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsStore } from '#lib/stats/StatsStore.js';
import { schemaColumns } from '../support/storeSchema.js';
import { dropSchema } from '../unit/stats/storeHelpers.js';
import { eventually, guildstats, openStore, sleep } from './support/guildstats.js';
import { seedGuildWithReportChannels, startStack, type Stack } from './support/stack.js';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `e2e_gs_privacy_${randomBytes(4).toString('hex')}`;

/** Rows that mention `userId`, per table (every table with a user_id column). */
async function rowsAbout(store: StatsStore, userId: string): Promise<Record<string, number>> {
	const tables = [...new Set((await schemaColumns(store)).filter((column) => column.column === 'user_id').map((column) => column.table))];
	const counts: Record<string, number> = {};
	for (const table of tables) {
		const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)} where user_id = ${userId}`.execute(store.db);
		counts[table] = Number(rows[0]!.n);
	}
	return counts;
}

/** `/guildstats ignoreme` through the real bot, on both store dialects. */
describe.each([
	{ dialect: 'sqlite', databaseUrl: undefined as string | undefined },
	{ dialect: 'postgres', databaseUrl: `${PG}?schema=${SCHEMA}` }
])('ignoreme on $dialect', ({ databaseUrl }) => {
	let stack: Stack;
	let guildId: string;
	let text: string[];
	let voice: string;
	let leaver: string;
	let hider: string;
	let friend: string;

	const withStore = async <T>(fn: (store: StatsStore) => Promise<T>): Promise<T> => {
		const store = await openStore(stack, databaseUrl);
		try {
			return await fn(store);
		} finally {
			await store.close();
		}
	};
	const messagesOf = (userId: string) =>
		withStore(async (store) => (await store.reports.memberStats(guildId, userId, { range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' })).totals.messages);
	const guildMessages = () => withStore(async (store) => (await store.reports.overview(guildId, { range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' })).messages);
	const ignoreme = (userId: string, action?: string) => guildstats(stack.sandbox, { guildId, channelId: text[0]!, userId, subcommand: 'ignoreme', options: action ? { action } : {} });

	beforeAll(async () => {
		stack = await startStack({
			sandbox: { guilds: [seedGuildWithReportChannels({ inVoice: 0 })] },
			env: { DATABASE_URL: databaseUrl, STATS_FLUSH_INTERVAL_MS: '1000', VOICE_MIN_SESSION_SECONDS: '1' }
		});
		const guild = [...stack.sandbox.state.guilds.values()][0]!;
		guildId = guild.id;
		const channels = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!).filter((channel) => !channel.name.startsWith('nexus-'));
		text = channels.filter((channel) => channel.type === 0).map((channel) => channel.id);
		voice = channels.find((channel) => channel.type === 2)!.id;
		const humans = [...guild.members.values()].filter((member) => !member.user.bot && member.user.id !== guild.owner_id).map((member) => member.user.id);
		[leaver, hider, friend] = [humans[0]!, humans[1]!, humans[2]!];

		const { sandbox } = stack;
		// The leaver talks in two channels, reacts, receives reactions and sits in voice.
		const mine = [0, 1, 2].map((i) => sandbox.sendMessage({ guildId, channelId: text[i % 2]!, authorId: leaver }));
		const theirs = sandbox.sendMessage({ guildId, channelId: text[0]!, authorId: friend });
		sandbox.addReaction({ guildId, channelId: text[0]!, messageId: theirs.id, userId: leaver });
		sandbox.addReaction({ guildId, channelId: text[0]!, messageId: mine[0]!.id, userId: friend });
		sandbox.voiceUpdate({ guildId, userId: leaver, channelId: voice });
		sandbox.sendMessage({ guildId, channelId: text[1]!, authorId: hider });
		await sleep(1500);
		sandbox.voiceUpdate({ guildId, userId: leaver, channelId: null });
		await eventually(async () => (await messagesOf(leaver)) === 3 && (await messagesOf(hider)) === 1);
		await eventually(() => withStore(async (store) => Object.values(await rowsAbout(store, leaver)).filter((n) => n > 0).length >= 6));
	});

	afterAll(async () => {
		await stack?.stop();
		if (databaseUrl) await dropSchema(SCHEMA);
	});

	it('delete removes every stored row about the member at once, and nothing new is recorded', async () => {
		const before = await withStore((store) => rowsAbout(store, leaver));
		// Messages, reactions, voice, per-member tables, hourly and daily: all hold rows about them now.
		expect(Object.values(before).filter((n) => n > 0).length).toBeGreaterThanOrEqual(6);

		const answer = await ignoreme(leaver, 'delete');
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toMatch(/every statistic about you was deleted/);
		const after = await withStore((store) => rowsAbout(store, leaver));
		const { privacy_optouts: optOut, ...data } = after;
		expect(Object.values(data).every((n) => n === 0), JSON.stringify(after)).toBe(true);
		// The only row left is the opt-out itself, which keeps them out.
		expect(optOut).toBe(1);
		const mode = await withStore(async (store) => store.getOptOut(leaver));
		expect(mode).toBe('delete');

		const total = await guildMessages();
		stack.sandbox.sendMessage({ guildId, channelId: text[0]!, authorId: leaver });
		stack.sandbox.sendMessage({ guildId, channelId: text[0]!, authorId: friend });
		await eventually(async () => (await guildMessages()) === total + 1);
		expect(Object.values((({ privacy_optouts: _, ...rest }) => rest)(await withStore((store) => rowsAbout(store, leaver)))).every((n) => n === 0)).toBe(true);
	});

	it('hide stops capture and hides them; running ignoreme again offers opting back in', async () => {
		expect((await ignoreme(hider, 'hide')).content).toMatch(/^Done: nothing new is recorded/);
		const status = await ignoreme(hider);
		expect(status.ephemeral).toBe(true);
		expect(status.content).toMatch(/action:optin/);

		const total = await guildMessages();
		stack.sandbox.sendMessage({ guildId, channelId: text[1]!, authorId: hider });
		stack.sandbox.sendMessage({ guildId, channelId: text[1]!, authorId: friend });
		await eventually(async () => (await guildMessages()) === total + 1);
		// Kept but hidden: the report refuses them; the stored row is still there for an opt-in.
		const hidden = await withStore((store) => store.reports.memberStats(guildId, hider, { range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' }));
		expect(hidden.optedOut).toBe(true);

		expect((await ignoreme(hider, 'optin')).content).toMatch(/earlier counts show in reports again/);
		expect(await messagesOf(hider)).toBe(1); // the message sent while hidden was never recorded
		stack.sandbox.sendMessage({ guildId, channelId: text[1]!, authorId: hider });
		await eventually(async () => (await messagesOf(hider)) === 2);
	});
});
