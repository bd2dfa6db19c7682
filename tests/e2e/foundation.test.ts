import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_ID } from '../../scripts/support/botProcess.js';
import { isCommandRegistration, requestMatching, startStack, stopBot, type Stack } from './support/stack.js';

let stack: Stack;
let guildId: string;
let channelId: string;

beforeAll(async () => {
	stack = await startStack();
	const guild = [...stack.sandbox.state.guilds.values()][0]!;
	guildId = guild.id;
	channelId = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!).find((channel) => channel.type === 0)!.id;
});

afterAll(async () => {
	await stack?.stop();
});

const content = (request: { body: unknown }) => JSON.stringify(request.body);

describe('foundation: the real bot against the sandbox', () => {
	it('logs in and registers /nexus with its status subcommand', async () => {
		const registration = await requestMatching(stack.sandbox, isCommandRegistration);
		const commands = registration.body as { name: string; options?: { name: string }[] }[];
		const nexus = commands.find((command) => command.name === 'nexus');
		expect(nexus?.options?.map((option) => option.name)).toContain('status');
	});

	it('answers /nexus status to an owner, ephemerally, with uptime, guilds, ping and versions', async () => {
		const interaction = stack.sandbox.interact({ guildId, channelId, userId: OWNER_ID, command: 'nexus', subcommand: 'status' });
		const response = await interaction.waitForResponse();
		const text = content(response);
		expect(text).toContain('Nexus status');
		for (const field of ['Uptime', 'Guilds', 'Members (sum over guilds)', 'Gateway ping', 'Versions']) expect(text).toContain(field);
		expect((response.body as { data?: { flags?: number } }).data?.flags).toBe(64);
	});

	it('denies a non-owner through the OwnerOnly precondition, ephemerally', async () => {
		const guild = stack.sandbox.state.guilds.get(guildId)!;
		const stranger = [...guild.members.keys()].find((id) => id !== OWNER_ID && id !== stack.sandbox.botUser.id)!;
		const interaction = stack.sandbox.interact({ guildId, channelId, userId: stranger, command: 'nexus', subcommand: 'status' });
		const response = await interaction.waitForResponse();
		expect(content(response)).toMatch(/owners only/);
		expect(content(response)).not.toContain('Nexus status');
		expect((response.body as { data?: { flags?: number } }).data?.flags).toBe(64);
	});

	it('survives a full Discord outage and answers again once it is back', async () => {
		await stack.sandbox.faults.outage();
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect(stack.bot.proc.exitCode).toBeNull();
		await stack.sandbox.faults.recover();
		await stack.sandbox.waitForReady({ timeoutMs: 30_000 });
		const interaction = stack.sandbox.interact({ guildId, channelId, userId: OWNER_ID, command: 'nexus', subcommand: 'status' });
		expect(content(await interaction.waitForResponse(undefined, 20_000))).toContain('Nexus status');
	});

	it('SIGTERM during traffic runs every stop hook in reverse order and exits 0 within the deadline', async () => {
		const members = [...stack.sandbox.state.guilds.get(guildId)!.members.keys()];
		for (let i = 0; i < 200; i++) stack.sandbox.sendMessage({ guildId, channelId, authorId: members[i % members.length]! });
		const started = Date.now();
		const { code } = await stopBot(stack.bot);
		const elapsed = Date.now() - started;
		expect(code).toBe(0);
		expect(elapsed).toBeLessThan(10_000);
		const log = stack.bot.lines.join('\n');
		expect(log).toMatch(/Shutting down \(SIGTERM\)/);
		expect(log).toMatch(/Stopped scheduler/);
		expect(log).toMatch(/Shutdown complete/);
	});
});
