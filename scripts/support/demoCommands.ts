import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiscordSandbox, InteractOptions, RecordedRequest } from '../../sandbox/index.js';

export interface DemoContext {
	sandbox: DiscordSandbox;
	guildId: string;
	ownerId: string;
	out: string;
	apiUrl: string;
	apiToken: string;
	say: (line: string) => void;
}

export interface DemoCommandResult {
	command: string;
	ok: boolean;
	ms: number;
	files: string[];
	summary: string;
}

type Invocation = Omit<InteractOptions, 'guildId' | 'channelId' | 'userId'> & { userId?: string; label: string; before?: (sandbox: DiscordSandbox) => void };

const registered = (sandbox: DiscordSandbox, command: string, subcommand?: string) =>
	[...sandbox.state.commands.values()].some(
		(entry) => entry.name === command && (!subcommand || (entry.options ?? []).some((option: { name: string }) => option.name === subcommand))
	);

function describe(response: RecordedRequest): string {
	const body = response.body as { data?: { content?: string; embeds?: { title?: string }[] }; content?: string; embeds?: { title?: string }[] } | null;
	const data = body?.data ?? body;
	const title = data?.embeds?.[0]?.title;
	return (title ?? data?.content ?? '').slice(0, 120);
}

/** Runs the demo's slash commands (those the bot registered) as the guild owner and saves every image. */
export async function runDemoCommands(context: DemoContext): Promise<DemoCommandResult[]> {
	const { sandbox, guildId, ownerId, out, say } = context;
	const guild = sandbox.state.guilds.get(guildId)!;
	const channelId = [...guild.channelIds].map((id) => sandbox.state.channels.get(id)!).find((channel) => channel.type === 0)!.id;
	const busiest = [...guild.members.keys()].find((id) => id !== ownerId && id !== sandbox.botUser.id)!;
	const moderators = [...guild.roles.values()].find((role) => role.name === 'Moderator');
	const invocations: Invocation[] = [
		{ label: 'nexus status', command: 'nexus', subcommand: 'status' },
		{ label: 'nexus health', command: 'nexus', subcommand: 'health' },
		{ label: 'nexus test_reporting', command: 'nexus', subcommand: 'test_reporting' },
		// Discord answers this command's reply with 502 four times: the command fails for real, its error goes to Diagnostics at once.
		{ label: 'nexus status (Discord 502)', command: 'nexus', subcommand: 'status', before: (s) => s.faults.fail5xx({ route: 'POST /interactions/:id/:token/callback', count: 4, status: 502 }) },
		{ label: 'guildstats server', command: 'guildstats', subcommand: 'server', options: { range: '30d' } },
		{ label: 'guildstats server 24h', command: 'guildstats', subcommand: 'server', options: { range: '24h' } },
		{ label: 'guildstats member', command: 'guildstats', subcommand: 'member', options: { user: busiest } },
		{ label: 'guildstats top', command: 'guildstats', subcommand: 'top', options: { by: 'messages' } },
		{ label: 'guildstats channel', command: 'guildstats', subcommand: 'channel', options: { range: '30d' } },
		{ label: 'guildstats activity', command: 'guildstats', subcommand: 'activity' },
		{ label: 'guildstats voice', command: 'guildstats', subcommand: 'voice' },
		{ label: 'guildstats growth', command: 'guildstats', subcommand: 'growth' },
		...(moderators ? [{ label: 'guildstats server role', command: 'guildstats', subcommand: 'server', options: { range: '30d', role: moderators.id } }] : []),
		// Admin tools: their CSV/JSON attachments are kept next to the images.
		{ label: 'guildstats inactive', command: 'guildstats', subcommand: 'inactive', options: { days: 7 } },
		{ label: 'guildstats export', command: 'guildstats', subcommand: 'export', options: { range: '30d', format: 'csv', granularity: 'daily' } }
	];
	const results: DemoCommandResult[] = [];
	for (const invocation of invocations) {
		if (!registered(sandbox, invocation.command, invocation.subcommand)) continue;
		invocation.before?.(sandbox);
		const started = Date.now();
		const handle = sandbox.interact({ guildId, channelId, userId: invocation.userId ?? ownerId, command: invocation.command, subcommand: invocation.subcommand, options: invocation.options });
		try {
			const response = await handle.waitForResponse(undefined, 30_000);
			const files: string[] = [];
			for (const [index, file] of response.files.entries()) {
				const name = `${invocation.label.replace(/\s+/g, '-')}${index ? `-${index}` : ''}${file.name.endsWith('.png') ? '.png' : `-${file.name}`}`;
				writeFileSync(join(out, name), file.data);
				files.push(name);
			}
			const result = { command: `/${invocation.label}`, ok: response.status < 300, ms: Date.now() - started, files, summary: describe(response) };
			results.push(result);
			say(`/${invocation.label}: ${result.summary || 'answered'} (${result.ms} ms${files.length ? `, saved ${files.join(', ')}` : ''})`);
		} catch (error) {
			results.push({ command: `/${invocation.label}`, ok: false, ms: Date.now() - started, files: [], summary: String(error) });
			say(`/${invocation.label}: no answer (${(error as Error).message})`);
		}
	}
	return results;
}
