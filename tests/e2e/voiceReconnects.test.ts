import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';
import { startStack, type Stack } from './support/stack.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const OP = { Identify: 2, Resume: 6 };

/**
 * Voice time across gateway reconnects. After an invalid session the bot identifies again and the
 * events of the gap are never delivered (the sandbox, like Discord, forgets the session): the
 * fresh GUILD_CREATE is the only truth. A resume replays what was missed.
 */
describe.each([
	{ dialect: 'sqlite', databaseUrl: undefined as string | undefined },
	{ dialect: 'postgres', databaseUrl: `${PG}?schema=e2e_voicereconnect_${randomBytes(4).toString('hex')}` }
])('voice across reconnects ($dialect)', ({ databaseUrl }) => {
	let stack: Stack;
	let guildId: string;
	let voice: string[];
	let humans: string[];

	const openStore = () => StatsStore.open({ ...databaseTarget(databaseUrl), sqlitePath: stack.bot.env.SQLITE_PATH! });
	const range = () => ({ range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day' as const, timezone: 'UTC', members: 'both' as const });
	async function voiceSeconds(userId: string): Promise<number> {
		const store = await openStore();
		try {
			return (await store.reports.memberStats(guildId, userId, range())).totals.voiceSeconds;
		} finally {
			await store.close();
		}
	}

	beforeAll(async () => {
		stack = await startStack({ env: { DATABASE_URL: databaseUrl, VOICE_MIN_SESSION_SECONDS: '1', STATS_FLUSH_INTERVAL_MS: '500' } });
		const guild = [...stack.sandbox.state.guilds.values()][0]!;
		guildId = guild.id;
		voice = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!).filter((channel) => channel.type === 2).map((channel) => channel.id);
		humans = [...guild.members.values()]
			.filter((member) => member.user.id !== stack.sandbox.botUser.id && !member.user.bot && !guild.voiceStates.has(member.user.id))
			.map((member) => member.user.id);
	});

	afterAll(async () => {
		await stack?.stop();
	});

	it('after a forced re-identify: a member who left in the gap stops at the disconnect, one who joined in the gap counts from the new GUILD_CREATE', async () => {
		const { sandbox } = stack;
		const [leaver, joiner] = [humans[0]!, humans[1]!];
		const joinedAt = Date.now();
		sandbox.voiceUpdate({ guildId, userId: leaver, channelId: voice[0]! });
		await sleep(2500);

		const invalidatedAt = Date.now();
		sandbox.faults.invalidateSession();
		await sleep(200);
		// Neither event reaches the bot: its session is gone until it identifies again.
		sandbox.voiceUpdate({ guildId, userId: leaver, channelId: null });
		sandbox.voiceUpdate({ guildId, userId: joiner, channelId: voice[0]! });
		const identify = await sandbox.waitForGatewayFrame((frame) => frame.op === OP.Identify && frame.at > invalidatedAt, 20_000);
		await sandbox.waitForReady({ timeoutMs: 10_000 });
		await sleep(2500); // several flushes after the new GUILD_CREATE

		const first = await voiceSeconds(leaver);
		await sleep(2000);
		const second = await voiceSeconds(leaver);
		// Stopped at the disconnect, not growing at every flush.
		expect(second).toBe(first);
		const expected = (invalidatedAt - joinedAt) / 1000;
		expect(first).toBeGreaterThanOrEqual(Math.floor(expected) - 1);
		expect(first).toBeLessThanOrEqual(Math.ceil(expected) + 1);

		// Counted from the fresh GUILD_CREATE (the bot cannot know when in the gap they joined).
		const joinerSeconds = await voiceSeconds(joiner);
		expect(joinerSeconds).toBeGreaterThan(0);
		expect(joinerSeconds).toBeLessThanOrEqual(Math.ceil((Date.now() - identify.at) / 1000) + 1);
		sandbox.voiceUpdate({ guildId, userId: joiner, channelId: null });
	}, 90_000);

	it('a resume replays the missed events and nothing is counted twice', async () => {
		const { sandbox } = stack;
		const member = humans[2]!;
		const joinedAt = Date.now();
		sandbox.voiceUpdate({ guildId, userId: member, channelId: voice[1]! });
		await sleep(2000);

		const closedAt = Date.now();
		sandbox.faults.closeGateway(4000);
		// Sent while the bot is disconnected: buffered by the session and replayed on resume.
		sandbox.voiceUpdate({ guildId, userId: member, channelId: null });
		const leftAt = Date.now();
		const resume = await sandbox.waitForGatewayFrame((frame) => frame.op === OP.Resume && frame.at >= closedAt, 20_000);
		await sandbox.waitForReady({ timeoutMs: 10_000 });
		expect(sandbox.sessions().some((session) => session.resumes > 0)).toBe(true);
		await sleep(2000);

		const first = await voiceSeconds(member);
		await sleep(1500);
		expect(await voiceSeconds(member)).toBe(first);
		expect(first).toBeGreaterThanOrEqual(Math.floor((leftAt - joinedAt) / 1000) - 1);
		// At most the gap until the replay on top; a double count would be about twice the session.
		expect(first).toBeLessThanOrEqual(Math.ceil((resume.at - joinedAt) / 1000) + 2);
	}, 90_000);
});
