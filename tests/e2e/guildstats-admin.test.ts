import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportOptions } from '#lib/stats/statsTypes.js';
import { eventually, guildstats, openStore, sleep, type Invocation } from './support/guildstats.js';
import { seedGuildWithReportChannels, startStack, type Stack } from './support/stack.js';

/** Admin controls (ManageGuild) and what they do to capture, through the real bot. */
let stack: Stack;
let guildId: string;
let ownerId: string;
let adminId: string;
let memberId: string;
let talker: string;
let text: { id: string; parent_id?: string | null }[];

const allTime = (): ReportOptions => ({ range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' });

async function channelMessages(channelId: string): Promise<number> {
	const store = await openStore(stack);
	try {
		return (await store.reports.channelStats(guildId, channelId, allTime())).totals.messages;
	} finally {
		await store.close();
	}
}

const settings = (userId: string, subcommand: string, options: Invocation['options'] = {}) =>
	guildstats(stack.sandbox, { guildId, channelId: text[0]!.id, userId, subcommandGroup: 'settings', subcommand, options });

/** Sends one message to each channel plus one to the control channel, and waits until the control one is stored. */
async function probe(channelIds: string[], control: string): Promise<void> {
	const before = await channelMessages(control);
	for (const channelId of channelIds) stack.sandbox.sendMessage({ guildId, channelId, authorId: talker });
	stack.sandbox.sendMessage({ guildId, channelId: control, authorId: talker });
	await eventually(async () => (await channelMessages(control)) === before + 1);
	await sleep(200);
}

beforeAll(async () => {
	stack = await startStack({
		sandbox: { guilds: [seedGuildWithReportChannels({ inVoice: 0 })] },
		env: { STATS_FLUSH_INTERVAL_MS: '1000', RETENTION_HOURLY_DAYS: '45', RETENTION_DAILY_DAYS: '400', GUILD_DATA_GRACE_DAYS: '7' }
	});
	const { sandbox } = stack;
	const guild = [...sandbox.state.guilds.values()][0]!;
	guildId = guild.id;
	ownerId = guild.owner_id;
	const channels = [...guild.channelIds].map((id) => sandbox.state.channels.get(id)!).filter((channel) => !channel.name.startsWith('nexus-'));
	text = channels.filter((channel) => channel.type === 0);
	const humans = [...guild.members.values()].filter((member) => !member.user.bot && member.user.id !== ownerId && member.roles.length === 0);
	memberId = humans[0]!.user.id;
	talker = humans[1]!.user.id;
	const adminRole = [...guild.roles.values()].find((role) => role.name === 'Admin')!;
	adminId = sandbox.memberAdd({ guildId, roles: [adminRole.id] }).user.id;
	await probe([], text[0]!.id);
});

afterAll(async () => {
	await stack?.stop();
});

describe('admin controls', () => {
	it('are denied to members without Manage Server, ephemerally, and change nothing', async () => {
		for (const subcommand of ['disable', 'view']) {
			const answer = await settings(memberId, subcommand);
			expect(answer.ephemeral).toBe(true);
			expect(answer.content).toMatch(/Only server admins \(Manage Server permission\)/);
		}
		const purge = await settings(memberId, 'purge', { confirm: true });
		expect(purge.content).toMatch(/Only server admins/);
		// Still captured.
		await probe([text[1]!.id], text[0]!.id);
		expect(await channelMessages(text[1]!.id)).toBe(1);
	});

	it('pass for a member of the Admin role (ManageGuild) and for the owner', async () => {
		const admin = await settings(adminId, 'view');
		expect(admin.ephemeral).toBe(true);
		expect(admin.embed?.title).toBe('Statistics settings');
		const owner = await settings(ownerId, 'view');
		expect(owner.embed?.fields?.find((field) => field.name === 'Capture')?.value).toBe('enabled');
	});

	it('an ignored channel is not captured; unignored, it is again', async () => {
		const ignored = text[1]!.id;
		expect((await settings(adminId, 'ignore', { channel: ignored })).content).toMatch(/Capture stopped in \*\*#/);
		const before = await channelMessages(ignored);
		await probe([ignored, ignored], text[0]!.id);
		expect(await channelMessages(ignored)).toBe(before);
		expect((await settings(adminId, 'unignore', { channel: ignored })).content).toMatch(/Capture resumed/);
		await probe([ignored], text[0]!.id);
		expect(await channelMessages(ignored)).toBe(before + 1);
	});

	it('an ignored category stops capture in all of its channels', async () => {
		const category = text.find((channel) => channel.parent_id && channel.parent_id !== text[0]!.parent_id)!.parent_id!;
		const inside = text.filter((channel) => channel.parent_id === category).map((channel) => channel.id);
		expect(inside.length).toBeGreaterThan(0);
		expect((await settings(ownerId, 'ignore', { channel: category })).content).toMatch(/every channel of the category/);
		const before = await Promise.all(inside.map(channelMessages));
		await probe(inside, text[0]!.id);
		expect(await Promise.all(inside.map(channelMessages))).toEqual(before);
		await settings(ownerId, 'unignore', { channel: category });
	});

	it('a disabled guild is not captured; enabled again, it is', async () => {
		expect((await settings(ownerId, 'disable')).content).toMatch(/^Statistics disabled/);
		const before = await channelMessages(text[0]!.id);
		for (let i = 0; i < 3; i++) stack.sandbox.sendMessage({ guildId, channelId: text[0]!.id, authorId: talker });
		await sleep(2500); // two flush intervals
		expect(await channelMessages(text[0]!.id)).toBe(before);
		const report = await guildstats(stack.sandbox, { guildId, channelId: text[0]!.id, userId: memberId, subcommand: 'server', options: { graphic: 'text' } });
		expect(report.embed?.description).toMatch(/Statistics are disabled in this server/);
		expect((await settings(ownerId, 'enable')).content).toMatch(/^Statistics enabled/);
		await probe([], text[0]!.id);
		expect(await channelMessages(text[0]!.id)).toBe(before + 1);
	});

	it('the timezone setting reaches the reports', async () => {
		expect((await settings(ownerId, 'timezone', { zone: 'europe/berlin' })).content).toMatch(/Timezone set to \*\*Europe\/Berlin\*\*/);
		const report = await guildstats(stack.sandbox, { guildId, channelId: text[0]!.id, userId: memberId, subcommand: 'activity', options: { graphic: 'text' } });
		expect(report.embed?.description).toMatch(/· Europe\/Berlin ·/);
	});

	it('purge asks for confirmation, then deletes every statistic of the guild', async () => {
		expect((await settings(ownerId, 'purge', { confirm: false })).content).toMatch(/^Nothing was deleted/);
		expect(await channelMessages(text[0]!.id)).toBeGreaterThan(0);
		expect((await settings(ownerId, 'purge', { confirm: true })).content).toMatch(/^Deleted every statistic/);
		const store = await openStore(stack);
		try {
			const totals = await store.reports.overview(guildId, allTime());
			expect([totals.messages, totals.activeMembers, totals.reactions, totals.joins]).toEqual([0, 0, 0, 0]);
		} finally {
			await store.close();
		}
	});

	it('/guildstats privacy states what is stored and the configured retention', async () => {
		const answer = await guildstats(stack.sandbox, { guildId, channelId: text[0]!.id, userId: memberId, subcommand: 'privacy' });
		expect(answer.ephemeral).toBe(true);
		const text_ = JSON.stringify(answer.embed);
		expect(text_).toMatch(/Never message content/);
		// STATS_MEMBER_HOURLY_DAYS at its default (15).
		expect(text_).toMatch(/Hourly counts: 15 days per member, 45 days per server and channel\. Daily counts: 400 days\./);
		expect(text_).toMatch(/deleted after 7 days/);
		expect(text_).toMatch(/guildstats ignoreme/);
	});
});
