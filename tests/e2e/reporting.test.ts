import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utcDay } from '#lib/reporting/summaryDays.js';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { FAKE_TOKEN, OWNER_ID } from '../../scripts/support/botProcess.js';
import { REPORT_CHANNEL_IDS, startStack, type Stack } from './support/stack.js';
import { delivered, messagePosts, requestText, waitFor } from './support/reports.js';

/** A channel id that exists nowhere: Discord answers 404 / 10003. */
const UNKNOWN_CHANNEL = '1419999999999999999';
const API_TOKEN = 'e2e-api-token-must-never-leak-7f3a';

let stack: Stack;
let guildId: string;
let channelId: string;

beforeAll(async () => {
	stack = await startStack({
		env: {
			REPORT_CHANNEL_PERFORMANCE: UNKNOWN_CHANNEL,
			REPORT_FLUSH_INTERVAL_MS: '1000',
			REPORT_CHANNEL_RETRY_MS: '1000',
			// An unavailable channel is an incident, posted after the grace (30 s by default).
			INCIDENT_GRACE_MS: '1000',
			STATS_FLUSH_INTERVAL_MS: '500',
			MONITOR_ENABLED: 'false',
			API_TOKEN
		}
	});
	const guild = [...stack.sandbox.state.guilds.values()][0]!;
	guildId = guild.id;
	channelId = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!).find((channel) => channel.type === 0 && !Object.values(REPORT_CHANNEL_IDS).includes(channel.id))!.id;
});

afterAll(async () => {
	await stack?.stop();
});

/** Text of an interaction answer: an edited reply (content) or a callback (data.content). */
const content = (r: { body: unknown }) => {
	const body = r.body as { content?: string; data?: { content?: string } };
	return body.content ?? body.data?.content ?? '';
};
/** Markdown escapes removed (embed fields escape `_`). */
const unescaped = (text: string) => text.replace(/\\\\/g, '');
const testReporting = (userId = OWNER_ID) => stack.sandbox.interact({ guildId, channelId, userId, command: 'nexus', subcommand: 'test_reporting' });

describe('reporting through the real bot', () => {
	it('log lines reach Discord: the startup info line is batched to Logs', async () => {
		const ready = await waitFor(() => delivered(stack.sandbox, REPORT_CHANNEL_IDS.logs).find((event) => event.event === 'log.info' && event.text.includes('Nexus ready as')), 10_000, 'the ready line in Logs');
		expect(ready.request.status).toBe(200);
		// Every report is sent without pings.
		for (const post of messagePosts(stack.sandbox)) expect((post.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
	});

	it('/nexus test_reporting (owner): one ephemeral line per channel with ok + ms, or the exact reason', async () => {
		stack.sandbox.state.denyChannel(REPORT_CHANNEL_IDS.analytics);
		const before = messagePosts(stack.sandbox).length;
		const interaction = testReporting();
		const answer = await interaction.waitForResponse(undefined, 15_000);
		// Deferred ephemerally (flags 64), then the answer edits the deferred reply.
		const defer = interaction.responses().find((r) => r.route.endsWith('/callback'))!;
		expect(defer.body).toMatchObject({ type: 5, data: { flags: 64 } });
		const lines = content(answer).split('\n');
		expect(lines[0]).toBe('2 of 4 report channels failed.');
		expect(lines[1]).toMatch(new RegExp(`^✅ \\*\\*Diagnostics\\*\\* <#${REPORT_CHANNEL_IDS.diagnostics}> — ok, \\d+ ms round trip$`));
		expect(lines[2]).toMatch(new RegExp(`^✅ \\*\\*Logs\\*\\* <#${REPORT_CHANNEL_IDS.logs}> — ok, \\d+ ms round trip$`));
		expect(lines[3]).toBe(`❌ **Analytics** \`${REPORT_CHANNEL_IDS.analytics}\` — missing permission (50013)`);
		expect(lines[4]).toBe(`❌ **Performance** \`${UNKNOWN_CHANNEL}\` — unknown channel (10003)`);
		// One clearly marked test message per channel, nothing more.
		const tests = messagePosts(stack.sandbox).slice(before).filter((r) => requestText(r).includes('Nexus reporting test'));
		expect(tests.map((r) => [r.path, r.status]).sort()).toEqual(
			[
				[`/channels/${REPORT_CHANNEL_IDS.analytics}/messages`, 403],
				[`/channels/${REPORT_CHANNEL_IDS.diagnostics}/messages`, 200],
				[`/channels/${REPORT_CHANNEL_IDS.logs}/messages`, 200],
				[`/channels/${UNKNOWN_CHANNEL}/messages`, 404]
			].sort()
		);
		// The broken channels are reported once each, clearly, with their config names, on Diagnostics: one incident per channel.
		const unavailable = await waitFor(
			() => {
				const events = delivered(stack.sandbox, REPORT_CHANNEL_IDS.diagnostics).filter((event) => event.event === 'incident.started' && unescaped(event.text).includes('Report channel'));
				return events.length >= 2 && events;
			},
			8000,
			'two report-channel incidents'
		);
		const text = unescaped(unavailable.map((event) => event.text).join('\n')).replaceAll('\\"', '"');
		expect(text).toContain('Report channel "analytics" unavailable: missing permission (50013)');
		expect(text).toContain('REPORT_CHANNEL_ANALYTICS');
		expect(text).toContain('Report channel "performance" unavailable: unknown channel (10003)');
		expect(text).toContain('REPORT_CHANNEL_PERFORMANCE');
		expect(delivered(stack.sandbox, REPORT_CHANNEL_IDS.diagnostics).filter((event) => event.event === 'incident.started' && unescaped(event.text).includes('Report channel'))).toHaveLength(2);

		// Permission fixed: the next test says ok, and the recovery is reported.
		stack.sandbox.state.allowChannel(REPORT_CHANNEL_IDS.analytics);
		const again = await testReporting().waitForResponse(undefined, 15_000);
		expect(content(again)).toMatch(new RegExp(`✅ \\*\\*Analytics\\*\\* <#${REPORT_CHANNEL_IDS.analytics}> — ok, \\d+ ms round trip`));
		expect(content(again)).toContain('1 of 4 report channels failed.');
		const recovered = await waitFor(
			() => delivered(stack.sandbox, REPORT_CHANNEL_IDS.diagnostics).find((event) => event.event === 'incident.recovered' && unescaped(event.text).includes('Report channel "analytics"')),
			5000,
			'the recovery report'
		);
		expect(unescaped(recovered.text).replaceAll('\\"', '"')).toMatch(/Report channel "analytics" recovered after \d+ s \(\d+ failures?\)/);
	});

	it('/nexus test_reporting (non-owner): denied by the precondition, ephemerally, nothing sent', async () => {
		const stranger = [...stack.sandbox.state.guilds.get(guildId)!.members.keys()].find((id) => id !== OWNER_ID && id !== stack.sandbox.botUser.id)!;
		const before = messagePosts(stack.sandbox).filter((r) => requestText(r).includes('Nexus reporting test')).length;
		const answer = await testReporting(stranger).waitForResponse();
		expect(content(answer)).toMatch(/owners only/);
		expect((answer.body as { data?: { flags?: number } }).data?.flags).toBe(64);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(messagePosts(stack.sandbox).filter((r) => requestText(r).includes('Nexus reporting test')).length).toBe(before);
	});

	it('an error line reaches Diagnostics at once: a command failing on Discord 5xx', async () => {
		// Discord answers the interaction callback with 502 four times (discord.js gives up): /nexus status fails for real.
		stack.sandbox.faults.fail5xx({ route: 'POST /interactions/:id/:token/callback', count: 4, status: 502 });
		const began = Date.now();
		const interaction = stack.sandbox.interact({ guildId, channelId, userId: OWNER_ID, command: 'nexus', subcommand: 'status' });
		const error = await waitFor(
			() => delivered(stack.sandbox, REPORT_CHANNEL_IDS.diagnostics).find((event) => event.event === 'log.error' && event.text.includes('/nexus status failed')),
			5000,
			'the error in Diagnostics'
		);
		// Critical: not held for the batch interval.
		expect(error.request.at - began).toBeLessThan(3000);
		const embed = (error.request.body as { embeds: { title: string; color: number }[] }).embeds.find((e) => e.title.includes('/nexus status failed'))!;
		expect(embed.color).toBe(0xed4245);
		// The user still gets an honest answer once Discord accepts the callback again.
		expect(content(await interaction.waitForResponse())).toContain('Something went wrong on our side');
	});

	it('every finished command is counted in the statistics, its failure included (what the daily summary reports)', async () => {
		const store = await StatsStore.open({ sqlitePath: stack.bot.env.SQLITE_PATH! });
		try {
			// test_reporting twice by the owner (ok); the non-owner's denied test_reporting and the status that failed
			// on 502 are failed runs (a subcommand denial counts as a failure with the precondition as its error type).
			let counted = { commands: 0, commandsFailed: 0 };
			const end = Date.now() + 5000;
			while (Date.now() < end) {
				const today = (await store.summaries.dailySummary(utcDay(Date.now()))).guilds.find((entry) => entry.guildId === guildId);
				counted = { commands: today?.commands ?? 0, commandsFailed: today?.commandsFailed ?? 0 };
				if (counted.commands >= 4) break;
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
			expect(counted).toEqual({ commands: 4, commandsFailed: 2 });
		} finally {
			await store.close();
		}
	});

	it('the bot token and the API token never appear in any request body or attachment', () => {
		const requests = stack.sandbox.requests;
		expect(requests.length).toBeGreaterThan(10);
		expect(messagePosts(stack.sandbox).some((r) => r.files.length > 0 || requestText(r).includes('stack'))).toBe(true);
		for (const request of requests) {
			const text = requestText(request) + JSON.stringify(request.headers);
			expect(text).not.toContain(FAKE_TOKEN);
			expect(text).not.toContain(FAKE_TOKEN.split('.')[2]);
			expect(text).not.toContain(API_TOKEN);
		}
	});
});
