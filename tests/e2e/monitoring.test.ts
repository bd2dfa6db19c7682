import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeReportMessage, type DecodedEvent } from '#lib/reporting/decodeReportMessage.js';
import type { RecordedRequest } from '../../sandbox/index.js';
import { LOCAL_REDIS_URL, OWNER_ID } from '../../scripts/support/botProcess.js';
import { REPORT_CHANNEL_IDS, startStack, type Stack } from './support/stack.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: Stack;
let guildId: string;
let channelId: string;

interface SeenEvent {
	event: string;
	/** From the JSON attachment when there is one, else from the embed title ("Warning: ..."). */
	severity: string;
	data: Record<string, unknown>;
	text: string;
}

/** Every event the bot posted to a report channel so far, decoded from embeds and JSON attachments. */
function eventsIn(channel: keyof typeof REPORT_CHANNEL_IDS): SeenEvent[] {
	return stack.sandbox
		.findRequests((r: RecordedRequest) => r.method === 'POST' && r.path === `/channels/${REPORT_CHANNEL_IDS[channel]}/messages` && r.status === 200)
		.flatMap((r) => {
			const embeds = (r.body as { embeds?: { title?: string; footer?: { text?: string } }[] }).embeds ?? [];
			return decodeReportMessage(r.body as never, r.files.map((file) => ({ name: file.name, data: file.data }))).map((decoded: DecodedEvent) => {
				const embed = embeds.find((e) => e.footer?.text?.startsWith(`#${decoded.seq} `));
				const title = embed?.title ?? '';
				const severity = decoded.wire?.severity ?? (/^Critical/.test(title) ? 'CRITICAL' : /^Warning/.test(title) ? 'WARNING' : embed?.footer?.text?.split(' · ').pop() ?? 'INFO');
				return { event: decoded.event ?? decoded.wire?.event ?? '', severity, data: (decoded.wire?.data ?? {}) as Record<string, unknown>, text: JSON.stringify(embed ?? decoded.wire ?? {}) };
			});
		});
}

async function waitForEvent(channel: keyof typeof REPORT_CHANNEL_IDS, predicate: (event: SeenEvent) => boolean, timeoutMs = 30_000) {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const found = eventsIn(channel).find(predicate);
		if (found) return found;
		if (Date.now() > until) throw new Error(`no matching event in ${channel}; seen: ${eventsIn(channel).map((e) => e.event).join(', ')}`);
		await sleep(250);
	}
}

/** Real REST traffic for the latency tracker: owner slash commands (each answer is a REST call). */
async function restTraffic(count: number) {
	for (let i = 0; i < count; i++) {
		const handle = stack.sandbox.interact({ guildId, channelId, userId: OWNER_ID, command: 'nexus', subcommand: 'status' });
		await handle.waitForResponse(undefined, 15_000);
	}
}

const latencyAlerts = () => eventsIn('performance').concat(eventsIn('diagnostics')).filter((event) => /latency/i.test(event.event));

beforeAll(async () => {
	stack = await startStack({
		env: {
			// The monitoring jobs as BullMQ runs them (the embedded scheduler has its own e2e test).
			REDIS_URL: LOCAL_REDIS_URL,
			REPORT_FLUSH_INTERVAL_MS: '500',
			MONITOR_DISCORD_INTERVAL_MS: '500',
			MONITOR_PROCESS_INTERVAL_MS: '500',
			MONITOR_HEALTH_INTERVAL_MS: '3000',
			MONITOR_COMMAND_INTERVAL_MS: '3000',
			MONITOR_REST_WINDOW_MS: '4000',
			ALERT_REPEAT_MINUTES: '10'
		},
		// The inspector lets the test block the bot's event loop from outside, with no hook in the bot.
		nodeArgs: ['--inspect=127.0.0.1:0']
	});
	const guild = [...stack.sandbox.state.guilds.values()][0]!;
	guildId = guild.id;
	channelId = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!).find((channel) => channel.type === 0 && !Object.values(REPORT_CHANNEL_IDS).includes(channel.id))!.id;
});

afterAll(async () => {
	await stack?.stop();
});

describe('monitoring through the real bot', () => {
	it('/nexus health answers with scores, levels and the full JSON report', async () => {
		const response = await stack.sandbox.interact({ guildId, channelId, userId: OWNER_ID, command: 'nexus', subcommand: 'health' }).waitForResponse(undefined, 20_000);
		expect(JSON.stringify(response.body)).toMatch(/Excellent|Good|Fair|Poor|Critical/);
		const json = response.files.find((file) => file.name.endsWith('.json'));
		expect(json).toBeDefined();
		const report = JSON.parse(json!.data.toString('utf8')) as { event: string; data: { overall: { score: number }; components: Record<string, unknown> } };
		expect(report.event).toBe('health.report');
		expect(report.data.overall.score).toBeGreaterThanOrEqual(0);
		expect(Object.keys(report.data.components)).toEqual(expect.arrayContaining(['cpu', 'memory', 'network', 'discord']));
	});

	it('posts the scheduled health report to Performance (task run from Redis)', async () => {
		const event = await waitForEvent('performance', (e) => e.event === 'health.report', 30_000);
		expect(event.text).toMatch(/Excellent|Good|Fair|Poor|Critical/);
	});

	it('REST latency over the thresholds: one WARNING, then CRITICAL, no repeats, one recovery', async () => {
		stack.sandbox.faults.latencyMs = 300;
		await restTraffic(4);
		await waitForEvent('performance', (e) => /latency/i.test(e.event) && e.severity === 'WARNING');
		stack.sandbox.faults.latencyMs = 700;
		await restTraffic(6);
		await waitForEvent('performance', (e) => /latency/i.test(e.event) && e.severity === 'CRITICAL');
		await restTraffic(3);
		await sleep(1500);
		// Still over the threshold, inside the 10-minute repeat window: nothing new.
		expect(latencyAlerts().filter((e) => e.severity === 'WARNING')).toHaveLength(1);
		expect(latencyAlerts().filter((e) => e.severity === 'CRITICAL')).toHaveLength(1);
		stack.sandbox.faults.latencyMs = 0;
		await sleep(4500); // let slow samples leave the REST window
		await restTraffic(5);
		await waitForEvent('performance', (e) => /latency/i.test(e.event) && e.severity === 'INFO');
		await sleep(1500);
		expect(latencyAlerts().filter((e) => e.severity === 'INFO')).toHaveLength(1);
	});

	it('a deliberately blocked event loop raises the event-loop alert', async () => {
		const line = await stack.bot.waitForLine(/Debugger listening on ws:\/\//);
		const url = line.match(/ws:\/\/\S+/)![0];
		const socket = new WebSocket(url);
		await new Promise((resolve, reject) => ((socket.onopen = resolve), (socket.onerror = reject)));
		const answers = new Map<number, unknown>();
		socket.on('message', (raw) => {
			const message = JSON.parse(String(raw)) as { id?: number };
			if (message.id) answers.set(message.id, message);
		});
		// 600 ms of synchronous work on the bot's main thread, three times (a stuck render would look
		// like this). Each evaluation is awaited, so we know the bot really ran it.
		for (const id of [1, 2, 3]) {
			socket.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression: 'const t = Date.now(); while (Date.now() - t < 600) {}' } }));
			const until = Date.now() + 10_000;
			while (!answers.has(id) && Date.now() < until) await sleep(50);
			expect(answers.has(id)).toBe(true);
			await sleep(700);
		}
		socket.close();
		const alert = await waitForEvent('performance', (e) => /eventLoop/i.test(e.event) && e.severity !== 'INFO', 30_000);
		expect(alert.text).toMatch(/event.loop/i);
	});

	it("a denied command shows up in the command analyzer report as the user's mistake, by identifier", async () => {
		// A non-owner running an owner-only command: answered, counted under OwnerOnly, not a failure.
		const guild = stack.sandbox.state.guilds.get(guildId)!;
		const stranger = [...guild.members.keys()].find((id) => id !== OWNER_ID && id !== stack.sandbox.botUser.id)!;
		await stack.sandbox.interact({ guildId, channelId, userId: stranger, command: 'nexus', subcommand: 'health' }).waitForResponse(undefined, 15_000);
		const report = await waitForEvent('performance', (e) => e.event.startsWith('commands') && e.text.includes('OwnerOnly'), 30_000);
		expect(report.text).toMatch(/nexus health/);
		expect(report.text).toMatch(/user mistake/);
		// The command's category is its folder under src/commands/.
		expect(report.data.categories).toEqual(expect.arrayContaining([expect.objectContaining({ category: 'Owner' })]));
	});
});
