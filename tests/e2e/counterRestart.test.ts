import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BOT_PERMISSIONS, Permission } from '../../sandbox/index.js';
import { eventually } from './support/guildstats.js';
import { seedGuildWithReportChannels, startStack, type Stack } from './support/stack.js';

/**
 * A restart must not forget renames Discord still counts: two renames, a SIGKILL, a new number at
 * once — the restarted bot waits for the window instead of earning a 429 (which discord.js would sit
 * out for the rest of the window, holding the channel's requests).
 */
const WINDOW_MS = 15_000;
let stack: Stack;

beforeAll(async () => {
	stack = await startStack({
		sandbox: {
			guilds: [seedGuildWithReportChannels({ inVoice: 0, members: 30 })],
			botPermissions: DEFAULT_BOT_PERMISSIONS | Permission.ManageChannels,
			rateLimits: { channelRenames: { limit: 2, windowMs: WINDOW_MS } }
		},
		env: { COUNTER_RENAME_WINDOW_MS: String(WINDOW_MS) }
	});
}, 90_000);

afterAll(async () => {
	await stack?.stop();
});

describe('counter channels across a restart', () => {
	it('keep the rename budget: no 429, and the name still converges once the window allows', async () => {
		const { sandbox } = stack;
		const guild = [...sandbox.state.guilds.values()][0]!;
		const voice = [...guild.channelIds].map((id) => sandbox.state.channel(id)!).find((channel) => channel.type === 2)!.id;
		const text = [...guild.channelIds].map((id) => sandbox.state.channel(id)!).find((channel) => channel.type === 0)!.id;
		const name = () => `Members: ${guild.members.size}`;
		const renames = () => sandbox.findRequests((r) => r.method === 'PATCH' && r.path === `/channels/${voice}`);
		const handle = sandbox.interact({ guildId: guild.id, channelId: text, userId: guild.owner_id, command: 'guildstats', subcommandGroup: 'counter', subcommand: 'add', options: { channel: voice, template: 'Members: {members}' } });
		await handle.waitForResponse(undefined, 20_000);
		await eventually(async () => sandbox.state.channel(voice)!.name === name(), 10_000);
		sandbox.memberAdd({ guildId: guild.id });
		await eventually(async () => sandbox.state.channel(voice)!.name === name(), 40_000);
		expect(renames()).toHaveLength(2);
		const secondAt = renames()[1]!.at;
		const firstAt = renames()[0]!.at;

		await stack.restartBot('SIGKILL');
		sandbox.memberAdd({ guildId: guild.id });
		await eventually(async () => sandbox.state.channel(voice)!.name === name(), WINDOW_MS * 3);
		expect(renames()).toHaveLength(3);
		expect(renames()[2]!.at).toBeGreaterThanOrEqual(firstAt + WINDOW_MS);
		expect(renames()[2]!.at).toBeGreaterThan(secondAt);
		expect(renames().every((r) => r.status === 200)).toBe(true);
		expect(sandbox.rateLimited()).toEqual([]);
	}, 120_000);
});
