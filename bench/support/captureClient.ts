// Child process of bench/capture: a real discord.js client (Nexus's intents and caches) logged in to
// the sandbox, with or without our capture pieces. Reports its own CPU time for N MESSAGE_CREATEs.
import { container } from '@sapphire/framework';
import { Client, GatewayIntentBits, Options, Partials } from 'discord.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [variant, apiUrl, countText] = process.argv.slice(2) as ['plain' | 'ours', string, string];
const expected = Number(countText);
const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url).href;

const client = new Client({
	intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildVoiceStates, GatewayIntentBits.GuildMessageReactions],
	partials: [Partials.User, Partials.GuildMember, Partials.Channel],
	makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0, ReactionManager: 0, PresenceManager: 0 }),
	rest: { api: apiUrl }
} as unknown as ConstructorParameters<typeof Client>[0]);

const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-client-'));
let stop = async () => undefined as unknown;
if (variant === 'ours') {
	const { loadConfig } = await import(dist('config.js'));
	const { StatsStore } = await import(dist('lib/stats/StatsStore.js'));
	const { StatsService } = await import(dist('lib/stats/StatsService.js'));
	const { MetricsRegistry } = await import(dist('lib/metrics/MetricsRegistry.js'));
	const { CaptureMessageListener } = await import(dist('listeners/capture/messageCreate.js'));
	const { GatewayEventsMetricListener } = await import(dist('listeners/metrics/gatewayEvents.js'));
	const config = loadConfig({ DISCORD_TOKEN: 'bench.token.value', SQLITE_PATH: join(dir, 'bench.sqlite') });
	const store = await StatsStore.open({ sqlitePath: join(dir, 'bench.sqlite') });
	// The flush timer runs as in production (60 s default would not fire; 5 s does, as a busy bot's would).
	const stats = new StatsService({ store, voiceMinSeconds: 10, flushIntervalMs: 5000 });
	await stats.start();
	Object.assign(container, { client, config: config.config, stats, metrics: new MetricsRegistry({ shard: 0, defaultMetrics: false }) });
	// Our real listener pieces, constructed as Sapphire's store would and attached to the same events.
	const context = (name: string) => ({ name, path: join(dir, `${name}.js`), root: dir, store: { container } }) as never;
	const capture = new CaptureMessageListener(context('messageCreate'), {});
	const metrics = new GatewayEventsMetricListener(context('gatewayEvents'), {});
	client.on('messageCreate', (message) => capture.run(message));
	client.on('raw', (packet) => metrics.run(packet));
	stop = () => stats.stop();
}

let seen = 0;
let startCpu: NodeJS.CpuUsage | undefined;
client.on('messageCreate', () => {
	if (seen === 0) startCpu = process.cpuUsage();
	if (++seen === expected) {
		const used = process.cpuUsage(startCpu);
		process.send!({ type: 'done', cpuMs: (used.user + used.system) / 1000, seen });
	}
});
client.once('ready', () => process.send!({ type: 'ready' }));
process.on('message', async (message) => {
	if (message === 'exit') {
		await stop();
		await client.destroy();
		rmSync(dir, { recursive: true, force: true });
		process.exit(0);
	}
});
await client.login('bench.token.value');
