/**
 * Runs the Discord sandbox until Ctrl+C:
 *   npx tsx sandbox/cli.ts --port 4000 [--members 200] [--guilds 1] [--shards N] [--no-rate-limits] [--quiet]
 * The default guild also holds the four report channels of the bot's config (REPORT_CHANNEL_* or their defaults).
 */
import { DiscordSandbox } from './DiscordSandbox.js';
import { seedGuild } from './seedGuild.js';

interface CliArgs {
	port: number;
	members: number;
	guilds: number;
	shards: number;
	rateLimits: boolean;
	quiet: boolean;
}

function parseArgs(argv: string[]): CliArgs {
	const args: CliArgs = { port: 4000, members: 200, guilds: 1, shards: 1, rateLimits: true, quiet: false };
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const next = () => {
			const value = Number(argv[++i]);
			if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a non-negative integer`);
			return value;
		};
		if (flag === '--port') args.port = next();
		else if (flag === '--members') args.members = next();
		else if (flag === '--guilds') args.guilds = Math.max(1, next());
		else if (flag === '--shards') args.shards = Math.max(1, next());
		else if (flag === '--no-rate-limits') args.rateLimits = false;
		else if (flag === '--quiet') args.quiet = true;
		else if (flag === '--help' || flag === '-h') {
			console.log('usage: tsx sandbox/cli.ts [--port 4000] [--members 200] [--guilds 1] [--shards 1] [--no-rate-limits] [--quiet]');
			process.exit(0);
		} else throw new Error(`unknown argument ${flag}`);
	}
	return args;
}

const REPORT_CHANNELS: Array<[string, string, string]> = [
	['REPORT_CHANNEL_DIAGNOSTICS', 'nexus-diagnostics', '1419516681427882115'],
	['REPORT_CHANNEL_LOGS', 'nexus-logs', '1419517784135700561'],
	['REPORT_CHANNEL_ANALYTICS', 'nexus-analytics', '1419858425424253039'],
	['REPORT_CHANNEL_PERFORMANCE', 'nexus-performance', '1420213631030661130']
];

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const reportChannels = REPORT_CHANNELS.map(([variable, name, fallback]) => ({ id: process.env[variable] ?? fallback, name }));
	const guilds = Array.from({ length: args.guilds }, (_, i) => seedGuild({ seed: i + 1, members: args.members, extraChannels: i === 0 ? reportChannels : [] }));
	const sandbox = await DiscordSandbox.start({
		port: args.port,
		guilds,
		shardCount: args.shards,
		maxConcurrency: args.shards,
		rateLimits: args.rateLimits ? undefined : false,
		logger: args.quiet ? undefined : (line) => console.log(`[sandbox] ${line}`)
	});
	const first = guilds[0];
	console.log(`Discord sandbox running
  api:            ${sandbox.apiUrl}
  gateway:        ${sandbox.gatewayUrl}
  application id: ${sandbox.applicationId}
  guilds:         ${guilds.map((g) => `${g.name} (${g.id}, ${g.members.length} members, ${g.channels.length} channels)`).join('; ')}
  owner:          ${first.owner_id}
  shards:         ${args.shards}, rate limits ${args.rateLimits ? 'on' : 'off'}
Point the bot at it:
  DISCORD_API_URL=${sandbox.apiUrl} DISCORD_TOKEN=sandbox DEV_GUILD_ID=${first.id} OWNER_IDS=${first.owner_id}
Ctrl+C to stop.`);

	let stopping = false;
	const shutdown = async () => {
		if (stopping) process.exit(1);
		stopping = true;
		await sandbox.stop();
		console.log(`sandbox stopped after ${sandbox.requests.length} request(s)`);
		process.exit(0);
	};
	process.on('SIGINT', () => void shutdown());
	process.on('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
	console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
