// bench/capture: the cost of our capture on the gateway hot path, through the REAL client.
// The sandbox dispatches N MESSAGE_CREATE events over its WebSocket gateway to a discord.js client in
// a child process (Nexus's intents and caches), once without any listener of ours and once with our
// real listener pieces (message capture into a StatsService + gateway-event metrics). Each child
// measures its own CPU from the first to the last message, so the sandbox's cost is not counted.
// Ratio: (ours - plain) / plain = our overhead as a share of discord.js's own cost per event.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DiscordSandbox } from '../sandbox/DiscordSandbox.js';
import { seedGuild } from '../sandbox/seedGuild.js';

const N = Number(process.env.BENCH_CAPTURE_N ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_CAPTURE_ROUNDS ?? 2);

async function measure(variant: 'plain' | 'ours', count: number): Promise<number> {
	const guild = seedGuild({ members: 200, seed: 3 });
	const sandbox = await DiscordSandbox.start({ guilds: [guild], rateLimits: false });
	const child = fork(fileURLToPath(new URL('./support/captureClient.ts', import.meta.url)), [variant, sandbox.apiUrl, String(count)], {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	const messages: { type: string; cpuMs?: number }[] = [];
	const waitFor = (type: string) =>
		new Promise<{ cpuMs?: number }>((resolve) => {
			const found = messages.find((m) => m.type === type);
			if (found) return resolve(found);
			child.on('message', (m: { type: string; cpuMs?: number }) => m.type === type && resolve(m));
		});
	child.on('message', (m: { type: string }) => messages.push(m));
	await waitFor('ready');
	const channels = guild.channels.filter((channel) => channel.type === 0).map((channel) => channel.id);
	const authors = guild.members.map((member) => member.user.id);
	const done = waitFor('done');
	for (let i = 0; i < count; i++) {
		sandbox.sendMessage({ guildId: guild.id, channelId: channels[i % channels.length]!, authorId: authors[i % authors.length]! });
		// Yield now and then so the socket drains and memory stays flat.
		if (i % 2000 === 1999) await new Promise((resolve) => setImmediate(resolve));
	}
	const { cpuMs } = await done;
	child.send('exit');
	await new Promise((resolve) => child.once('exit', resolve));
	await sandbox.stop();
	return cpuMs!;
}

export async function run(): Promise<void> {
	const perRound = Math.ceil(N / ROUNDS);
	let plainMs = 0;
	let oursMs = 0;
	for (let round = 0; round < ROUNDS; round++) {
		plainMs += await measure('plain', perRound);
		oursMs += await measure('ours', perRound);
	}
	const total = perRound * ROUNDS;
	const plainUs = (plainMs * 1000) / total;
	const oursUs = (oursMs * 1000) / total;
	console.log(`MESSAGE_CREATE over the sandbox gateway, per variant: ${total.toLocaleString('en-US')} (${ROUNDS} alternating rounds)`);
	console.log(`discord.js client alone:        ${plainUs.toFixed(2)} µs CPU per event`);
	console.log(`discord.js client + our pieces: ${oursUs.toFixed(2)} µs CPU per event`);
	console.log(`our overhead: ${(oursUs - plainUs).toFixed(2)} µs per event = ${(((oursUs - plainUs) / plainUs) * 100).toFixed(1)}% of discord.js's own cost (target <= 5%)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
