import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';
import { DiscordSandbox } from '../../sandbox/index.js';
import { isolatedEnv, removeDir, startBotProcess, type BotProcess } from '../../scripts/support/botProcess.js';
import { isCommandRegistration, REPORT_CHANNEL_IDS, requestMatching, seedGuildWithReportChannels, stopBot } from './support/stack.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PG = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Discord is down when the bot starts, and comes back a few seconds later: the bot must wait, log
 * in once, register its commands once, capture what happens afterwards, and deliver the reports
 * it had to spool meanwhile.
 */
describe.each([
	{ dialect: 'sqlite', databaseUrl: undefined as string | undefined },
	{ dialect: 'postgres', databaseUrl: `${PG}?schema=e2e_startoutage_${randomBytes(4).toString('hex')}` }
])('starting while Discord is unreachable ($dialect)', ({ databaseUrl }) => {
	let sandbox: DiscordSandbox | undefined;
	let bot: BotProcess | undefined;
	let dataDir: string | undefined;

	afterAll(async () => {
		if (bot) await stopBot(bot);
		await sandbox?.stop();
		if (dataDir) removeDir(dataDir);
	});

	it('waits for Discord, becomes ready once, registers commands once and captures what comes after', async () => {
		const guild = seedGuildWithReportChannels();
		sandbox = await DiscordSandbox.start({ guilds: [guild] });
		await sandbox.faults.outage();
		const isolated = isolatedEnv(sandbox.apiUrl, { DATABASE_URL: databaseUrl, STATS_FLUSH_INTERVAL_MS: '500', REPORT_FLUSH_INTERVAL_MS: '500' });
		dataDir = isolated.dataDir;
		bot = startBotProcess(isolated.env, dataDir);

		// Long enough for several attempts (the first retry comes after about a second).
		await bot.waitForLine(/Discord (is )?unreachable|Login failed/i, 30_000);
		await sleep(4000);
		expect(bot.proc.exitCode).toBeNull();
		await sandbox.faults.recover();

		await bot.waitForLine(/Nexus ready as/, 45_000);
		const registration = await requestMatching(sandbox, isCommandRegistration, 30_000);
		await sleep(1500); // any duplicate ready handling / registration would show by now
		expect(bot.proc.exitCode).toBeNull();
		expect(bot.lines.filter((line) => /Nexus ready as/.test(line))).toHaveLength(1);
		const registrations = sandbox.findRequests(isCommandRegistration);
		expect(registrations).toHaveLength(1);
		const names = (registration.body as Array<{ name: string }>).map((command) => command.name);
		expect(names.length).toBeGreaterThan(0);
		expect(new Set(names).size).toBe(names.length);
		expect(registration.status).toBeLessThan(300);

		// Capture works after the outage: a gateway event in, a row out.
		const channelId = guild.channels.find((channel) => channel.type === 0)!.id;
		const author = guild.members.find((member) => !member.user.bot)!.user.id;
		for (let i = 0; i < 7; i++) sandbox.sendMessage({ guildId: guild.id, channelId, authorId: author });
		const store = await StatsStore.open({ ...databaseTarget(databaseUrl), sqlitePath: isolated.env.SQLITE_PATH! });
		try {
			const range = { range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day' as const, timezone: 'UTC' as const, members: 'both' as const };
			let messages = 0;
			for (let i = 0; i < 60 && messages < 7; i++) {
				await sleep(250);
				messages = (await store.reports.overview(guild.id, range)).messages;
			}
			expect(messages).toBe(7);
		} finally {
			await store.close();
		}

		// The outage warning written while Discord was down reaches the Logs channel once it is back.
		const delivered = await requestMatching(
			sandbox,
			(r) => r.method === 'POST' && r.path.endsWith(`/channels/${REPORT_CHANNEL_IDS.logs}/messages`) && /unreachable|Login failed/i.test(JSON.stringify(r.body)),
			30_000
		);
		expect(delivered.status).toBeLessThan(300);
		// The reporter's REST never lost its token.
		expect(bot.lines.some((line) => /Expected token to be set/.test(line))).toBe(false);
	}, 120_000);
});
