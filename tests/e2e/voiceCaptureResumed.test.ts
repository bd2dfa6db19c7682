import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportOptions } from '#lib/stats/statsTypes.js';
import { guildstats, openStore, sleep } from './support/guildstats.js';
import { seedGuildWithReportChannels, startStack, type Stack } from './support/stack.js';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const allTime = (): ReportOptions => ({ range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' });

/** A member sits in voice while an admin stops and resumes capture: once resumed, their time counts again. */
describe.each([
	{ dialect: 'sqlite', databaseUrl: undefined as string | undefined },
	{ dialect: 'postgres', databaseUrl: `${PG}?schema=e2e_voiceresumed_${randomBytes(4).toString('hex')}` }
])('voice sessions already open when capture resumes ($dialect)', ({ databaseUrl }) => {
	let stack: Stack;
	let guildId: string;
	let ownerId: string;
	let textId: string;
	let voiceId: string;
	let sitter: string;

	async function voiceSeconds(): Promise<number> {
		const store = await openStore(stack, databaseUrl);
		try {
			return (await store.reports.memberStats(guildId, sitter, allTime())).totals.voiceSeconds;
		} finally {
			await store.close();
		}
	}
	const settings = (subcommand: string, options: Record<string, string | boolean> = {}) =>
		guildstats(stack.sandbox, { guildId, channelId: textId, userId: ownerId, subcommandGroup: 'settings', subcommand, options });

	beforeAll(async () => {
		stack = await startStack({
			sandbox: { guilds: [seedGuildWithReportChannels({ inVoice: 0 })] },
			env: { DATABASE_URL: databaseUrl, VOICE_MIN_SESSION_SECONDS: '1', STATS_FLUSH_INTERVAL_MS: '500' }
		});
		const guild = [...stack.sandbox.state.guilds.values()][0]!;
		guildId = guild.id;
		ownerId = guild.owner_id;
		const channels = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!);
		textId = channels.find((channel) => channel.type === 0 && !channel.name.startsWith('nexus-'))!.id;
		voiceId = channels.find((channel) => channel.type === 2)!.id;
		sitter = [...guild.members.values()].find((member) => !member.user.bot && member.user.id !== ownerId && member.user.id !== stack.sandbox.botUser.id)!.user.id;
		stack.sandbox.voiceUpdate({ guildId, userId: sitter, channelId: voiceId });
		await sleep(1500);
	});

	afterAll(async () => {
		await stack?.stop();
	});

	it('un-ignoring the voice channel counts the member already sitting in it', async () => {
		expect((await settings('ignore', { channel: voiceId })).content).toMatch(/Capture stopped/);
		await sleep(1500);
		const stopped = await voiceSeconds();
		await sleep(1000);
		expect(await voiceSeconds()).toBe(stopped);
		expect((await settings('unignore', { channel: voiceId })).content).toMatch(/Capture resumed/);
		await sleep(3000);
		expect(await voiceSeconds()).toBeGreaterThanOrEqual(stopped + 2);
	}, 60_000);

	it('re-enabling statistics counts the member already sitting in voice', async () => {
		expect((await settings('disable')).content).toMatch(/Statistics disabled/);
		await sleep(1500);
		const stopped = await voiceSeconds();
		expect((await settings('enable')).content).toMatch(/Statistics enabled/);
		await sleep(3000);
		expect(await voiceSeconds()).toBeGreaterThanOrEqual(stopped + 2);
	}, 60_000);
});
