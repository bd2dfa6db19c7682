import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';
import type { ReportOptions } from '#lib/stats/statsTypes.js';
import { startStack, stopBot, type Stack } from './support/stack.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './support/throwawayPostgres.js';

/**
 * Shutdown and database outages lose nothing: traffic runs the whole time (one message every few
 * ms), the database goes away mid-traffic and again at shutdown, and in the end the store holds
 * exactly the messages the sandbox dispatched to a connected bot. Short flush intervals (500 ms)
 * and a ~12 s outage keep it quick.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const allTime = (): ReportOptions => ({ range: { from: 0, to: Date.now() + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' });

/**
 * Sends messages until stopped, to a connected bot only, remembering each one's gateway sequence
 * number: at shutdown the bot logs the last sequence it handled, and a frame after it was still on
 * the wire when the socket closed (no client can count that one; the test reports how many).
 */
function traffic(stack: Stack, guildId: string, channelId: string, authorId: string) {
	const sent: { session: string; seq: number }[] = [];
	let running = true;
	const done = (async () => {
		while (running) {
			const session = stack.sandbox.sessions().find((entry) => entry.open);
			if (session) {
				stack.sandbox.sendMessage({ guildId, channelId, authorId });
				const after = stack.sandbox.sessions().find((entry) => entry.id === session.id)!;
				sent.push({ session: session.id, seq: after.seq });
			}
			await sleep(4);
		}
	})();
	return {
		/** Messages the bot was given: all, but those after the last sequence it handled before closing for shutdown. */
		handedToBot(bot: Stack['bot']): { count: number; inFlight: number } {
			const line = bot.lines.find((entry) => entry.includes('Gateway closed for shutdown'));
			const lastSeq = Number(/shard 0 #(\d+)/.exec(line ?? '')?.[1] ?? Number.POSITIVE_INFINITY);
			const lastSession = sent.at(-1)?.session;
			const inFlight = sent.filter((entry) => entry.session === lastSession && entry.seq > lastSeq).length;
			return { count: sent.length - inFlight, inFlight };
		},
		get sent() {
			return sent.length;
		},
		async stop() {
			running = false;
			await done;
		}
	};
}

const recoveryFiles = (stack: Stack) => {
	try {
		return readdirSync(stack.bot.env.STATS_RECOVERY_DIR!).filter((name) => name.endsWith('.jsonl'));
	} catch {
		return [];
	}
};

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (await check()) return;
		await sleep(100);
	}
	throw new Error(`timed out waiting for ${what}`);
}

function pickTargets(stack: Stack) {
	const guild = [...stack.sandbox.state.guilds.values()][0]!;
	const channelId = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!).find((channel) => channel.type === 0 && !channel.name?.startsWith('nexus-'))!.id;
	const authorId = [...guild.members.values()].find((member) => member.user.id !== stack.sandbox.botUser.id && !member.user.bot && !guild.voiceStates.has(member.user.id))!.user.id;
	return { guildId: guild.id, channelId, authorId };
}

async function storedMessages(databaseUrl: string | undefined, sqlitePath: string, guildId: string, authorId: string): Promise<number> {
	const store = await StatsStore.open({ ...databaseTarget(databaseUrl), sqlitePath });
	try {
		return (await store.reports.memberStats(guildId, authorId, allTime())).totals.messages;
	} finally {
		await store.close();
	}
}

describe('PostgreSQL stopped mid-traffic and at shutdown (a throwaway cluster of our own)', () => {
	let pg: ThrowawayPostgres | undefined;
	let stack: Stack | undefined;

	afterAll(async () => {
		await stack?.stop();
		pg?.destroy();
	});

	it('stores every dispatched message: outage deltas kept and merged, shutdown leftovers journaled and replayed once', async () => {
		pg = await startThrowawayPostgres();
		const databaseUrl = `${pg.url}?schema=e2e_durability_${randomBytes(4).toString('hex')}`;
		stack = await startStack({ env: { DATABASE_URL: databaseUrl, STATS_FLUSH_INTERVAL_MS: '500', MONITOR_ENABLED: 'false', SHUTDOWN_TIMEOUT_MS: '8000' } });
		const { guildId, channelId, authorId } = pickTargets(stack);
		const sqlitePath = stack.bot.env.SQLITE_PATH!;
		const load = traffic(stack, guildId, channelId, authorId);

		await sleep(1500);
		// Outage mid-traffic: flushes fail, their counters go to the recovery journal (memory stays small).
		pg.stop();
		await waitFor(() => recoveryFiles(stack!).length >= 3, 15_000, 'failed flushes journaled');
		await sleep(8000);
		expect(stack.bot.proc.exitCode).toBeNull();
		pg.start();
		// The database is back: the next flush applies the journal.
		await waitFor(() => recoveryFiles(stack!).length === 0, 20_000, 'the journal replayed after the outage');
		await sleep(1500);

		// Down again, and SIGTERM arrives while messages keep coming until the gateway closes.
		pg.stop();
		await sleep(700);
		const stopping = stopBot(stack.bot, 30_000);
		await waitFor(() => !stack!.sandbox.sessions().some((session) => session.open), 15_000, 'the gateway to close');
		await load.stop();
		const { code } = await stopping;
		expect(code).toBe(0);
		expect(recoveryFiles(stack).length).toBeGreaterThan(0);
		expect(stack.bot.lines.some((line) => line.includes('written to the recovery journal'))).toBe(true);
		const handed = load.handedToBot(stack.bot);
		// Only what was on the wire at the close itself (a few ms of traffic) was never read.
		expect(handed.inFlight).toBeLessThan(25);

		// Next start, database up: the journal is applied once; a restart after that applies nothing again.
		pg.start();
		await stack.restartBot();
		await waitFor(() => recoveryFiles(stack!).length === 0, 20_000, 'the journal replayed at start');
		await stack.restartBot();
		await sleep(1000);
		await stopBot(stack.bot, 30_000);
		expect(handed.count).toBeGreaterThan(1000);
		expect(await storedMessages(databaseUrl, sqlitePath, guildId, authorId)).toBe(handed.count);
	}, 180_000);
});

describe('SQLite locked during shutdown', () => {
	let stack: Stack | undefined;
	afterAll(async () => {
		await stack?.stop();
	});

	it('journals what the final flush cannot write and replays it exactly once at the next start', async () => {
		stack = await startStack({ env: { STATS_FLUSH_INTERVAL_MS: '500', MONITOR_ENABLED: 'false', SHUTDOWN_TIMEOUT_MS: '20000' } });
		const { guildId, channelId, authorId } = pickTargets(stack);
		const sqlitePath = stack.bot.env.SQLITE_PATH!;
		const load = traffic(stack, guildId, channelId, authorId);
		await sleep(1500);

		// Another process holds the write lock: every write waits busy_timeout, then fails SQLITE_BUSY.
		let handed = { count: 0, inFlight: 0 };
		const locker = new Database(sqlitePath);
		locker.exec('BEGIN EXCLUSIVE');
		try {
			await sleep(700);
			const stopping = stopBot(stack.bot, 40_000);
			await waitFor(() => !stack!.sandbox.sessions().some((session) => session.open), 30_000, 'the gateway to close');
			await load.stop();
			const { code } = await stopping;
			expect(code).toBe(0);
			expect(recoveryFiles(stack).length).toBeGreaterThan(0);
			// Not bounded here: each flush attempt blocks the bot's event loop for busy_timeout (5 s), so a
			// backlog can still be on the wire when the socket closes. Everything the bot read is checked below.
			handed = load.handedToBot(stack.bot);
		} finally {
			locker.exec('ROLLBACK');
			locker.close();
		}

		await stack.restartBot();
		await waitFor(() => recoveryFiles(stack!).length === 0, 20_000, 'the journal replayed at start');
		await stack.restartBot();
		await sleep(1000);
		await stopBot(stack.bot, 30_000);
		expect(handed.count).toBeGreaterThan(300);
		expect(await storedMessages(undefined, sqlitePath, guildId, authorId)).toBe(handed.count);
	}, 120_000);
});
