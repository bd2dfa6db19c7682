import { Events, LogLevel, PluginHook, SapphireClient } from '@sapphire/framework';
import { Client, GatewayIntentBits, Options, Partials, type ClientOptions } from 'discord.js';
import { fileURLToPath } from 'node:url';
import type { Config } from '#root/config.js';
import type { NexusLogger } from '#lib/logging/NexusLogger.js';
import { redisConnectionOptions } from '#lib/redisConnection.js';
import { skipMessageObjects } from '#lib/discord/messageObjects.js';

/**
 * The one client class. Intents are exactly what the features read: guild structure, message and
 * reaction events (counts only — no MessageContent intent), members for joins/leaves, voice states.
 * Caches are chosen deliberately: a stats bot never needs message objects, so messages are counted
 * from the raw dispatch and discord.js builds none (skipMessageObjects) and caches none. Reactions
 * are counted from the raw dispatch too, so there are no Message/Reaction partials: discord.js drops
 * a reaction on an uncached message at once instead of building a partial message nobody reads.
 */
export class NexusClient extends SapphireClient {
	public constructor(config: Config, logger: NexusLogger) {
		super({
			intents: [
				GatewayIntentBits.Guilds,
				GatewayIntentBits.GuildMessages,
				GatewayIntentBits.GuildMembers,
				GatewayIntentBits.GuildVoiceStates,
				GatewayIntentBits.GuildMessageReactions
			],
			partials: [Partials.User, Partials.GuildMember, Partials.Channel],
			makeCache: Options.cacheWithLimits({
				...Options.DefaultMakeCacheSettings,
				MessageManager: 0,
				ReactionManager: 0,
				ReactionUserManager: 0,
				PresenceManager: 0,
				GuildStickerManager: 0,
				GuildScheduledEventManager: 0,
				StageInstanceManager: 0
			}),
			allowedMentions: { parse: [] },
			// Pieces live one folder up from this file (dist/commands, dist/listeners, ... in production). Explicit,
			// because Sapphire otherwise looks for package.json in the working directory, which pm2 or a test may set elsewhere.
			baseUserDirectory: fileURLToPath(new URL('..', import.meta.url)),
			// REST_PROXY_URL: every process's calls go through one @discordjs/proxy (one global budget); it strips /api.
			rest: config.REST_PROXY_URL ? { api: `${config.REST_PROXY_URL.replace(/\/+$/, '')}/api` } : config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {},
			logger: { instance: logger, level: LogLevel.Info },
			loadMessageCommandListeners: false,
			// Our chatInputSubcommandError listener logs real errors; the plugin's would log every UserError at error level too.
			loadSubcommandErrorListeners: false,
			// setup.ts registers the plugin only in the process that serves the API; ApiService listens and closes (not the plugin's pre-login hook).
			...(config.API_PORT === undefined
				? {}
				: {
						api: {
							prefix: '',
							listenOptions: { host: config.API_HOST, port: config.API_PORT },
							// The dashboard is same-origin; no other site gets CORS access to the API.
							origin: `http://${config.API_HOST.includes(':') ? `[${config.API_HOST}]` : config.API_HOST}:${config.API_PORT}`,
							automaticallyConnect: false
						}
					}),
			// BullMQ only with Redis (setup.ts registers the plugin); without it boot.ts runs the same task pieces in-process (EmbeddedScheduler).
			// (The plugin types `tasks` as required, but only the plugin reads it.)
			...(config.REDIS_URL === undefined
				? ({} as Pick<ClientOptions, 'tasks'>)
				: {
						tasks: {
							queue: config.TASKS_QUEUE,
							bull: {
								connection: redisConnectionOptions(config.REDIS_URL),
								defaultJobOptions: { removeOnComplete: 100, removeOnFail: 500 }
							}
						}
					})
		});
		skipMessageObjects(this);
	}

	/**
	 * Sapphire's login runs the plugins' pre-login hooks and loads every store; repeated after a
	 * failed attempt, every piece would be registered twice (ready handled twice, commands
	 * registered with duplicate names, the one-shot core ready listener throwing). Once the pieces
	 * are loaded, a further attempt only connects (discord.js) and runs the post-login hooks.
	 */
	public override async login(token?: string): Promise<string> {
		if (this.stores.get('listeners').size === 0) return super.login(token);
		const result = await Client.prototype.login.call(this, token);
		for (const plugin of SapphireClient.plugins.values(PluginHook.PostLogin)) {
			await plugin.hook.call(this, this.options);
			this.emit(Events.PluginLoaded, plugin.type, plugin.name);
		}
		return result;
	}
}
