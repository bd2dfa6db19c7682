import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OverviewTotals, ReportOptions } from '#lib/stats/statsTypes.js';
import { countColour, decodePng, distinctColours } from '../unit/charts/pngInspect.js';
import { eventually, fieldNumber, guildstats, openStore, sleep, type Invocation } from './support/guildstats.js';
import { seedGuildWithReportChannels, startStack, type Stack } from './support/stack.js';

/**
 * /guildstats through the real bot: traffic in over the gateway, the bot flushes (every second
 * here), and the slash command answers with a PNG whose embed repeats the summary numbers.
 */
let stack: Stack;
let guildId: string;
let ownerId: string;
let text: string[];
let voice: string[];
let humans: string[];
let bots: string[];

const allTime = (members: ReportOptions['members'] = 'humans'): ReportOptions => ({ range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members });

async function overview(members: ReportOptions['members'] = 'humans'): Promise<OverviewTotals> {
	const store = await openStore(stack);
	try {
		return await store.reports.overview(guildId, allTime(members));
	} finally {
		await store.close();
	}
}

const run = (subcommand: string, options: Invocation['options'] = {}, userId = ownerId) => guildstats(stack.sandbox, { guildId, channelId: text[0]!, userId, subcommand, options });

beforeAll(async () => {
	// Nobody sits in voice at startup: open sessions would change the data at every flush.
	stack = await startStack({
		sandbox: { guilds: [seedGuildWithReportChannels({ inVoice: 0 })] },
		env: { STATS_FLUSH_INTERVAL_MS: '1000', VOICE_MIN_SESSION_SECONDS: '1', LOG_LEVEL: 'debug' }
	});
	const { sandbox } = stack;
	const guild = [...sandbox.state.guilds.values()][0]!;
	guildId = guild.id;
	ownerId = guild.owner_id;
	const channels = [...guild.channelIds].map((id) => sandbox.state.channels.get(id)!).filter((channel) => !channel.name.startsWith('nexus-'));
	text = channels.filter((channel) => channel.type === 0).map((channel) => channel.id);
	voice = channels.filter((channel) => channel.type === 2).map((channel) => channel.id);
	const members = [...guild.members.values()].filter((member) => member.user.id !== sandbox.botUser.id && member.user.id !== ownerId);
	humans = members.filter((member) => !member.user.bot).map((member) => member.user.id);
	bots = members.filter((member) => member.user.bot).map((member) => member.user.id);

	const send = (channel: string, author: string, count: number) => Array.from({ length: count }, () => sandbox.sendMessage({ guildId, channelId: channel, authorId: author }));
	const first = send(text[0]!, humans[0]!, 6);
	send(text[1]!, humans[0]!, 2);
	send(text[1]!, humans[1]!, 3);
	send(text[2]!, humans[2]!, 1);
	send(text[0]!, bots[0]!, 2);
	for (const message of first.slice(0, 2)) sandbox.addReaction({ guildId, channelId: text[0]!, messageId: message.id, userId: humans[1]! });
	sandbox.memberAdd({ guildId });
	sandbox.memberAdd({ guildId });
	sandbox.memberRemove({ guildId, userId: humans[40]! });
	sandbox.voiceUpdate({ guildId, userId: humans[3]!, channelId: voice[0]! });
	await sleep(1600);
	sandbox.voiceUpdate({ guildId, userId: humans[3]!, channelId: null });
	await eventually(async () => {
		const both = await overview('both');
		return both.messages === 14 && both.voiceSeconds > 0 && both.joins === 2 && both.leaves === 1;
	});
	// The voice session's last segment may land one flush later than its first: wait until two reads
	// a couple of flushes apart agree, so the cache tests start from data that no longer moves.
	let previous = '';
	await eventually(async () => {
		const now = JSON.stringify(await overview('both'));
		const stable = now === previous;
		previous = now;
		if (!stable) await sleep(1200);
		return stable;
	});
});

afterAll(async () => {
	await stack?.stop();
});

describe('/guildstats server', () => {
	let firstFooter = '';

	it('answers with a 1200x675 PNG (not blank) and an embed whose numbers are the store counts', async () => {
		const answer = await run('server', { range: '24h' });
		expect(answer.png).toBeDefined();
		const image = await decodePng(answer.png!);
		expect([image.width, image.height]).toEqual([1200, 675]);
		expect(distinctColours(image)).toBeGreaterThan(500);
		// Messages are drawn in the theme's blurple, voice in yellow: both series are on the chart.
		expect(countColour(image, '#5865f2', 20)).toBeGreaterThan(500);

		const expected = await overview('humans');
		expect(expected.messages).toBe(12);
		const embed = answer.embed!;
		expect(embed.image?.url).toBe('attachment://guildstats-server.png');
		expect(fieldNumber(embed, 'Messages')).toBe(expected.messages);
		expect(fieldNumber(embed, 'Active members')).toBe(expected.activeMembers);
		expect(fieldNumber(embed, 'Voice minutes')).toBe(expected.voiceMinutes);
		expect(fieldNumber(embed, 'Reactions')).toBe(expected.reactions);
		expect(fieldNumber(embed, 'Joins')).toBe(expected.joins);
		expect(fieldNumber(embed, 'Leaves')).toBe(expected.leaves);
		expect(embed.description).toMatch(/Last 24 hours · UTC · Humans/);
		firstFooter = embed.footer!.text;
		expect(firstFooter).toMatch(/^Rendered in \d+ ms/);
	});

	it('serves a second identical request from the cache', async () => {
		await sleep(1500); // at least one flush happened in between: the command's own traffic must not outdate the image
		const answer = await run('server', { range: '24h' });
		expect(answer.embed!.footer!.text).toMatch(/^From cache/);
		expect(answer.png).toBeDefined();
		expect(fieldNumber(answer.embed, 'Messages')).toBe(12);
	});

	it('renders again once new data for the guild was flushed', async () => {
		stack.sandbox.sendMessage({ guildId, channelId: text[3]!, authorId: humans[5]! });
		await eventually(async () => (await overview('humans')).messages === 13);
		await sleep(300);
		const answer = await run('server', { range: '24h' });
		expect(answer.embed!.footer!.text).toMatch(/^Rendered in \d+ ms/);
		expect(fieldNumber(answer.embed, 'Messages')).toBe(13);
	});

	it('renders ten concurrent identical requests once', async () => {
		const handles = Array.from({ length: 10 }, () => run('server', { range: '7d', members: 'both' }));
		const answers = await Promise.all(handles);
		const footers = answers.map((answer) => answer.embed!.footer!.text);
		const rendered = footers.filter((footer) => /^Rendered in \d+ ms · Nexus$/.test(footer));
		expect(rendered).toHaveLength(1);
		expect(footers.every((footer) => /^(Rendered|From cache)/.test(footer))).toBe(true);
		for (const answer of answers) expect(answer.png?.length).toBe(answers[0]!.png!.length);
		expect(fieldNumber(answers[0]!.embed, 'Messages')).toBe((await overview('both')).messages);
	});

	it('members and range change the figures: bots only, and a range with no data', async () => {
		const botsOnly = await run('server', { range: '24h', members: 'bots', graphic: 'text' });
		expect(fieldNumber(botsOnly.embed, 'Messages')).toBe(2);
		const old = await run('server', { since: '2016-01-01', graphic: 'text' });
		expect(fieldNumber(old.embed, 'Messages')).toBe(13);
		expect(old.embed!.description).toMatch(/Since Jan 1, 2016/);
	});

	it('graphic:text answers with an embed only: summary, top lists, no attachment', async () => {
		const answer = await run('server', { range: '24h', graphic: 'text' });
		expect(answer.png).toBeUndefined();
		expect(answer.embed!.image).toBeUndefined();
		const names = answer.embed!.fields!.map((field) => field.name);
		expect(names).toEqual(expect.arrayContaining(['Messages', 'Top channels', 'Top members']));
		const topMembers = answer.embed!.fields!.find((field) => field.name === 'Top members')!.value;
		// The busiest member first, by display name (fetched from Discord when not cached), never an id.
		expect(topMembers.split('\n')[0]).toMatch(/^1\. .+ — 8 messages$/);
		expect(topMembers).not.toMatch(/\d{17,}/);
	});
});

describe('/guildstats reports', () => {
	it.each([
		['member', { user: '' }],
		['channel', {}],
		['top', { by: 'messages' }],
		['top', { target: 'channels', by: 'voice' }],
		['activity', {}],
		['voice', {}],
		['growth', {}]
	] as const)('%s %j answers with a PNG and a summary', async (subcommand, options) => {
		const resolved = 'user' in options ? { user: humans[0]! } : options;
		const answer = await run(subcommand, resolved);
		expect(answer.png, JSON.stringify(answer.request.body)).toBeDefined();
		const image = await decodePng(answer.png!);
		expect([image.width, image.height]).toEqual([1200, 675]);
		expect(distinctColours(image)).toBeGreaterThan(200);
		expect(answer.embed!.fields!.length).toBeGreaterThanOrEqual(3);
	});

	it('member: figures of that member', async () => {
		const answer = await run('member', { user: humans[0]!, graphic: 'text' });
		expect(fieldNumber(answer.embed, 'Messages')).toBe(8);
		expect(fieldNumber(answer.embed, 'Reactions received')).toBe(2);
		const mine = await run('member', { graphic: 'text' }, humans[1]!);
		expect(fieldNumber(mine.embed, 'Messages')).toBe(3);
		expect(fieldNumber(mine.embed, 'Reactions given')).toBe(2);
	});

	it('top: members ranked by messages, with names', async () => {
		const answer = await run('top', { by: 'messages', graphic: 'text' });
		const list = answer.embed!.fields!.find((field) => field.name === 'Top members by messages')!.value.split('\n');
		expect(list.map((line) => Number(/— (\d+) messages?/.exec(line)![1]))).toEqual([8, 3, 1, 1]);
	});
});

describe('/guildstats errors are ephemeral explanations', () => {
	it('an unknown user', async () => {
		const answer = await run('member', { user: '123456789012345678' });
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toMatch(/don't know that user/);
	});

	it('a bot without data (found after the defer: the thinking message is replaced by an ephemeral one)', async () => {
		const answer = await run('member', { user: bots[1]! });
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toMatch(/is a bot with no recorded activity/);
		expect(answer.png).toBeUndefined();
	});

	it('an invalid or future start day', async () => {
		const bad = await run('server', { since: '2025-02-30' });
		expect(bad.ephemeral).toBe(true);
		expect(bad.content).toMatch(/not a calendar day/);
		const future = await run('server', { since: `${new Date().getUTCFullYear() + 1}-01-01` });
		expect(future.ephemeral).toBe(true);
		expect(future.content).toMatch(/has not started yet/);
	});

	it('an invalid timezone', async () => {
		const answer = await guildstats(stack.sandbox, { guildId, channelId: text[0]!, userId: ownerId, subcommandGroup: 'settings', subcommand: 'timezone', options: { zone: 'Mars/Olympus' } });
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toMatch(/not a timezone I know/);
	});

	it('a member who opted out is shown as such, never charted', async () => {
		const quiet = humans[2]!;
		const optOut = await run('ignoreme', { action: 'hide' }, quiet);
		expect(optOut.ephemeral).toBe(true);
		const answer = await run('member', { user: quiet });
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toMatch(/opted out of server statistics/);
		expect(answer.png).toBeUndefined();
		// And they are gone from the leaderboard.
		await sleep(300);
		const top = await run('top', { by: 'messages', graphic: 'text' });
		expect(top.embed!.fields!.find((field) => field.name === 'Top members by messages')!.value.split('\n')).toHaveLength(3);
	});
});
