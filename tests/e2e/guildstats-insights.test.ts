import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../sandbox/index.js';
import type { StatsStore } from '#lib/stats/StatsStore.js';
import type { ReportOptions } from '#lib/stats/statsTypes.js';
import { emptyDeltas } from '#lib/stats/statsTypes.js';
import { DAY_MS, HOUR_MS } from '#lib/stats/timeBuckets.js';
import { eventually, fieldChange, fieldNumber, guildstats, openStore, type Invocation } from './support/guildstats.js';
import { seedGuildWithReportChannels, startStack, type Stack } from './support/stack.js';

/**
 * `/guildstats inactive`, `export` and `settings visibility` through the real bot, with numbers
 * checked against scripted traffic. 2,400 members, so the member list takes three pages.
 */
let stack: Stack;
let guildId: string;
let channel: string;
let ownerId: string;
let adminId: string;
let humans: string[];
let talker: string;
let reactor: string;
let hider: string;
let quietSince10d: string;
let moderators: string[];

const TALKER_MESSAGES = 4;
const HIDER_MESSAGES = 3;
/** Messages of a member without the role. */
const REACTOR_MESSAGES = 2;
const allTime = (): ReportOptions => ({ range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' });

const withStore = async <T>(fn: (store: StatsStore) => Promise<T>): Promise<T> => {
	const store = await openStore(stack);
	try {
		return await fn(store);
	} finally {
		await store.close();
	}
};

const run = (userId: string, subcommand: string, options: Invocation['options'] = {}, subcommandGroup?: string) =>
	guildstats(stack.sandbox, { guildId, channelId: channel, userId, subcommand, options, ...(subcommandGroup ? { subcommandGroup } : {}) }, 30_000);

/** Whether the interaction this answer edits was deferred ephemerally (the edit itself carries no flags). */
function deferredEphemeral(request: RecordedRequest): boolean {
	const token = /\/webhooks\/\d+\/([^/]+)\//.exec(request.path)?.[1];
	const defer = stack.sandbox.findRequests((r) => r.route.includes('/callback') && token !== undefined && r.path.includes(token))[0];
	const body = defer?.body as { type?: number; data?: { flags?: number } } | undefined;
	return body?.type === 5 && ((body.data?.flags ?? 0) & 64) !== 0;
}

const files = (request: RecordedRequest) => request.files.map((file) => ({ name: file.name, text: Buffer.from(file.data).toString('utf8') }));
const csvRows = (text: string) => parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
const sum = (rows: Record<string, unknown>[], column: string) => rows.reduce((total, row) => total + Number(row[column]), 0);

beforeAll(async () => {
	stack = await startStack({
		sandbox: { guilds: [seedGuildWithReportChannels({ members: 2400, inVoice: 0 })] },
		env: { STATS_FLUSH_INTERVAL_MS: '1000', GUILDSTATS_EXPORT_COOLDOWN_MS: '4000' }
	});
	const { sandbox } = stack;
	const guild = [...sandbox.state.guilds.values()][0]!;
	guildId = guild.id;
	ownerId = guild.owner_id;
	channel = [...guild.channelIds].map((id) => sandbox.state.channels.get(id)!).find((c) => c.type === 0 && !c.name.startsWith('nexus-'))!.id;
	const adminRole = [...guild.roles.values()].find((role) => role.name === 'Admin')!;
	const moderatorRole = [...guild.roles.values()].find((role) => role.name === 'Moderator')!;
	adminId = sandbox.memberAdd({ guildId, roles: [adminRole.id] }).user.id;
	humans = [...guild.members.values()].filter((member) => !member.user.bot && member.roles.length === 0 && member.user.id !== ownerId).map((member) => member.user.id);
	[talker, reactor, hider, quietSince10d] = humans;
	// Role members: the talker and humans[4] active now, humans[5] quiet, humans[6] opted out.
	for (const id of [talker!, ...humans.slice(4, 7)]) sandbox.state.guilds.get(guildId)!.members.get(id)!.roles.push(moderatorRole.id);
	moderators = [...guild.members.values()].filter((member) => member.roles.includes(moderatorRole.id) && !member.user.bot).map((member) => member.user.id);

	// Scripted traffic: the talker posts, the reactor reacts, the hider posts and then opts out.
	const first = sandbox.sendMessage({ guildId, channelId: channel, authorId: talker }).id;
	for (let i = 1; i < TALKER_MESSAGES; i++) sandbox.sendMessage({ guildId, channelId: channel, authorId: talker });
	sandbox.sendMessage({ guildId, channelId: channel, authorId: humans[4]! });
	for (let i = 0; i < REACTOR_MESSAGES; i++) sandbox.sendMessage({ guildId, channelId: channel, authorId: reactor });
	for (let i = 0; i < HIDER_MESSAGES; i++) sandbox.sendMessage({ guildId, channelId: channel, authorId: hider });
	sandbox.addReaction({ guildId, channelId: channel, messageId: first, userId: reactor });
	await eventually(() =>
		withStore(async (store) => {
			const of = async (id: string) => (await store.reports.memberStats(guildId, id, allTime())).totals;
			const [t, r, h, m] = await Promise.all([of(talker), of(reactor), of(hider), of(humans[4]!)]);
			return t.messages === TALKER_MESSAGES && r.messages === REACTOR_MESSAGES && r.reactionsGiven === 1 && h.messages === HIDER_MESSAGES && m.messages === 1;
		})
	);
	expect((await run(hider, 'ignoreme', { action: 'hide' })).ephemeral).toBe(true);
	await run(humans[6]!, 'ignoreme', { action: 'hide' });
	// Activity 10 days ago, written as a flush would have.
	const at = Date.now() - 10 * DAY_MS;
	await withStore(async (store) => {
		const deltas = emptyDeltas();
		deltas.messages.push({ guildId, channelId: channel, threadId: '', userId: quietSince10d, hour: Math.floor(at / HOUR_MS), bot: false, messages: 2, lastAt: at });
		await store.applyDeltas(deltas);
	});
}, 120_000);

afterAll(async () => {
	await stack?.stop();
});

describe('change vs the previous period', () => {
	it('server, member, channel, activity and growth show ▲/▼ % against the 7 days before, "new" where those had nothing', async () => {
		// The previous 7 days hold exactly the 2 messages written 10 days ago, by one member.
		const week = (await run(reactor, 'server', { range: '7d', graphic: 'text', members: 'humans' })).embed;
		const range = { from: Math.floor(Date.now() / HOUR_MS + 1) * HOUR_MS - 7 * DAY_MS, to: Math.floor(Date.now() / HOUR_MS + 1) * HOUR_MS };
		const current = await withStore((store) => store.reports.overview(guildId, { range, bucket: 'hour', timezone: 'UTC', members: 'humans' }));
		expect(current.previous).toMatchObject({ messages: 2, activeMembers: 1, joins: 0 });
		expect(fieldNumber(week, 'Messages')).toBe(current.messages);
		expect(fieldChange(week, 'Messages')).toBe(`▲ ${Math.round(((current.messages - 2) / 2) * 100)} %`);
		expect(fieldChange(week, 'Active members')).toBe(`▲ ${Math.round((current.activeMembers - 1) * 100)} %`);
		expect(fieldChange(week, 'Joins')).toBe('new');
		expect(fieldChange(week, 'Voice minutes')).toBeNull();
		// The member who was active 10 days ago and not since: down 100 %.
		const quiet = (await run(ownerId, 'member', { user: quietSince10d, range: '7d', graphic: 'text' })).embed;
		expect(fieldNumber(quiet, 'Messages')).toBe(0);
		expect(fieldChange(quiet, 'Messages')).toBe('▼ 100 %');
		expect(fieldChange((await run(ownerId, 'growth', { range: '7d', graphic: 'text' })).embed, 'Joins')).toBe('new');
		// Channel and activity: the same 2 messages were in this channel.
		const upFrom2 = (now: number) => `▲ ${Math.round(((now - 2) / 2) * 100)} %`;
		const channelReport = (await run(reactor, 'channel', { channel, range: '7d', graphic: 'text' })).embed;
		expect(fieldChange(channelReport, 'Messages')).toBe(upFrom2(fieldNumber(channelReport, 'Messages')));
		const activity = (await run(reactor, 'activity', { range: '7d', graphic: 'text' })).embed;
		expect(fieldNumber(activity, 'Messages')).toBe(current.messages);
		expect(fieldChange(activity, 'Messages')).toBe(upFrom2(current.messages));
		// All time has no previous period.
		expect(fieldChange((await run(reactor, 'server', { range: 'all', graphic: 'text' })).embed, 'Messages')).toBeNull();
	});
});

describe('role filter', () => {
	it('server, top and activity count only the members who hold the role now', async () => {
		const moderator = [...stack.sandbox.state.guilds.get(guildId)!.roles.values()].find((role) => role.name === 'Moderator')!;
		const roleMessages = TALKER_MESSAGES + 1;
		const server = (await run(reactor, 'server', { range: '7d', graphic: 'text', role: moderator.id })).embed;
		expect(server?.description).toContain(`with the role Moderator (${moderators.length} now)`);
		expect(fieldNumber(server, 'Messages')).toBe(roleMessages);
		expect(fieldNumber(server, 'Active members')).toBe(2);
		expect(server?.fields?.some((field) => field.name === 'Joins')).toBe(false);
		const whole = (await run(reactor, 'server', { range: '7d', graphic: 'text' })).embed;
		expect(fieldNumber(whole, 'Messages')).toBe(roleMessages + REACTOR_MESSAGES);

		const top = (await run(reactor, 'top', { range: '7d', graphic: 'text', role: moderator.id })).embed;
		const lines = top?.fields?.find((field) => field.name.startsWith('Top members'))?.value.split('\n') ?? [];
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(/— 4 messages/);
		expect(lines[1]).toMatch(/— 1 message\b/);
		expect(fieldNumber(top, 'Server messages')).toBe(roleMessages);

		const activity = (await run(reactor, 'activity', { range: '7d', graphic: 'text', role: moderator.id })).embed;
		expect(fieldNumber(activity, 'Messages')).toBe(roleMessages);
		// An image too: the role is part of what the image shows.
		expect((await run(reactor, 'server', { range: '7d', role: moderator.id })).png?.length).toBeGreaterThan(1000);
		// A member who gains the role counts from the next member-list read (kept a minute): not checked here.
		expect((await run(reactor, 'top', { target: 'channels', by: 'voice', role: moderator.id })).content).toMatch(/ranked by the messages of that role/);
	});
});

describe('/guildstats inactive', () => {
	it('is for admins only', async () => {
		const answer = await run(talker, 'inactive', { days: 7 });
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toMatch(/Only server admins/);
	});

	it('lists current human members quiet for N days from the whole member list, opted-out counted apart, with a CSV of all', async () => {
		const answer = await run(adminId, 'inactive', { days: 7 });
		expect(deferredEphemeral(answer.request)).toBe(true);
		// Three pages of 1,000 were read.
		const pages = stack.sandbox.findRequests((r) => r.method === 'GET' && r.path.includes(`/guilds/${guildId}/members`) && !r.path.includes('search'));
		expect(pages.length).toBeGreaterThanOrEqual(3);
		const guild = stack.sandbox.state.guilds.get(guildId)!;
		const allHumans = [...guild.members.values()].filter((member) => !member.user.bot).map((member) => member.user.id);
		const optedOut = [hider, humans[6]!];
		const active = [talker, reactor, humans[4]!];
		const expected = allHumans.filter((id) => !optedOut.includes(id) && !active.includes(id));
		expect(answer.embed?.description).toContain(`**${expected.length.toLocaleString('en-US')}** of ${(allHumans.length - optedOut.length).toLocaleString('en-US')} members`);
		expect(answer.embed?.description).toMatch(/2 opted-out members are not checked or listed/);
		const csv = files(answer.request).find((file) => file.name.endsWith('.csv'))!;
		const rows = csvRows(csv.text);
		expect(rows.map((row) => row.user_id).sort()).toEqual([...expected].sort());
		for (const id of [...optedOut, ...active]) expect(csv.text).not.toContain(id);
		// The member active 10 days ago is listed last (most recent), with that date.
		const quiet = rows.find((row) => row.user_id === quietSince10d)!;
		expect(quiet.last_active_at.slice(0, 10)).toBe(new Date(Date.now() - 10 * DAY_MS).toISOString().slice(0, 10));
		expect(Number(quiet.days_since_active)).toBe(10);
		expect(rows.at(-1)!.user_id).toBe(quietSince10d);
		// The embed shows the first 25 (never seen active first).
		const listed = (answer.embed?.fields ?? []).map((field) => field.value).join('\n');
		expect(listed.split('\n').filter((line) => /^\d+\. /.test(line))).toHaveLength(25);
		expect(listed).toMatch(/^1\. .+ — never seen active/);
	});

	it('days:30 lists the member active 10 days ago as active; role narrows to its holders', async () => {
		const month = await run(adminId, 'inactive', { days: 30 });
		expect(files(month.request).find((file) => file.name.endsWith('.csv'))!.text).not.toContain(quietSince10d);
		const moderatorRole = [...stack.sandbox.state.guilds.get(guildId)!.roles.values()].find((role) => role.name === 'Moderator')!;
		const byRole = await run(adminId, 'inactive', { days: 7, role: moderatorRole.id });
		// Moderators: the talker and humans[4] active, humans[5] quiet, humans[6] opted out (+ any the seed made moderators).
		const expected = moderators.filter((id) => id !== humans[4] && id !== humans[6] && id !== talker);
		expect(byRole.embed?.description).toContain(`**${expected.length}** of ${moderators.length - 1} members with the role **Moderator**`);
		expect(byRole.embed?.description).toMatch(/1 opted-out member is not checked/);
		const rows = csvRows(files(byRole.request).find((file) => file.name.endsWith('.csv'))!.text);
		expect(rows.map((row) => row.user_id).sort()).toEqual([...expected].sort());
	});
});

describe('/guildstats export', () => {
	it('is for admins only', async () => {
		expect((await run(talker, 'export')).content).toMatch(/Only server admins/);
	});

	it('CSV rows sum to the store totals, no opted-out id anywhere, then a second export waits for the cooldown', async () => {
		const answer = await run(ownerId, 'export', { range: 'all', format: 'csv', granularity: 'daily' });
		expect(deferredEphemeral(answer.request)).toBe(true);
		expect(answer.content).toMatch(/^Export of \*\*/);
		const exported = files(answer.request);
		expect(exported.map((file) => file.name.replace(/^guildstats-\d+-daily-[\d-]+-/, ''))).toEqual(['guild.csv', 'channels.csv', 'members.csv']);
		const [guildRows, channelRows, memberRows] = exported.map((file) => csvRows(file.text));
		const totals = await withStore((store) => store.reports.overview(guildId, allTime()));
		expect(sum(guildRows!, 'messages')).toBe(totals.messages);
		expect(sum(guildRows!, 'reactions')).toBe(totals.reactions);
		expect(sum(guildRows!, 'joins')).toBe(totals.joins);
		expect(sum(channelRows!, 'messages')).toBe(totals.messages);
		expect(channelRows!.find((row) => row.channel_id === channel)!.channel_name).not.toBe('');
		// Members: the scripted ones, the opted-out never.
		const perMember = new Map<string, number>();
		for (const row of memberRows!) perMember.set(row.user_id, (perMember.get(row.user_id) ?? 0) + Number(row.messages));
		expect(perMember.get(talker)).toBe(TALKER_MESSAGES);
		expect(perMember.get(quietSince10d)).toBe(2);
		for (const file of exported) for (const id of [hider, humans[6]!]) expect(file.text).not.toContain(id);
		expect(Object.keys(memberRows![0]!)).toEqual(['bucket', 'user_id', 'bot', 'messages', 'voice_seconds', 'reactions_given', 'reactions_received']);

		const again = await run(ownerId, 'export', { format: 'json' });
		expect(again.ephemeral).toBe(true);
		expect(again.content).toMatch(/one export per server every 1 minute\. The next one is allowed <t:\d+:R>/);
		expect(again.request.files).toHaveLength(0);
	});

	it('JSON (hourly) after the cooldown: the same totals, no opted-out id', async () => {
		await new Promise((resolve) => setTimeout(resolve, 4100));
		const answer = await run(ownerId, 'export', { range: '30d', format: 'json', granularity: 'hourly' });
		const [file] = files(answer.request);
		expect(file!.name).toMatch(/\.json$/);
		const data = JSON.parse(file!.text) as { granularity: string; guild: Record<string, number>[]; channels: Record<string, unknown>[]; members: Record<string, unknown>[] };
		expect(data.granularity).toBe('hourly');
		const totals = await withStore((store) => store.reports.overview(guildId, allTime()));
		expect(sum(data.guild, 'messages')).toBe(totals.messages);
		expect(sum(data.members.filter((row) => row.user_id === talker), 'messages')).toBe(TALKER_MESSAGES);
		for (const id of [hider, humans[6]!]) expect(file!.text).not.toContain(id);
	});
});

describe('/guildstats settings visibility', () => {
	it("self_and_admins: another member's report needs Manage Server; your own and server-wide reports stay open; privacy says which is set", async () => {
		const before = await run(reactor, 'member', { user: talker, graphic: 'text' });
		expect(before.embed?.title).toMatch(/member activity/);
		expect((await run(talker, 'visibility', { member_reports: 'self_and_admins' }, 'settings')).content).toMatch(/Only server admins/);
		expect((await run(adminId, 'visibility', { member_reports: 'self_and_admins' }, 'settings')).content).toMatch(/Member reports: \*\*self_and_admins\*\*/);

		const denied = await run(reactor, 'member', { user: talker, graphic: 'text' });
		expect(denied.ephemeral).toBe(true);
		expect(denied.content).toMatch(/visible to the member themselves and to admins/);
		expect((await run(talker, 'member', { user: talker, graphic: 'text' })).embed?.title).toMatch(/member activity/);
		expect((await run(talker, 'member', { graphic: 'text' })).embed?.title).toMatch(/member activity/);
		expect((await run(adminId, 'member', { user: talker, graphic: 'text' })).embed?.title).toMatch(/member activity/);
		expect((await run(reactor, 'server', { graphic: 'text' })).embed?.title).toBe('Server activity');

		const privacy = await run(reactor, 'privacy');
		expect(JSON.stringify(privacy.embed)).toMatch(/Who may see member reports here.*self_and_admins/);
		await run(adminId, 'visibility', { member_reports: 'everyone' }, 'settings');
		expect((await run(reactor, 'member', { user: talker, graphic: 'text' })).embed?.title).toMatch(/member activity/);
	});
});
