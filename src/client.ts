import { ApplicationCommandRegistries, container, LogLevel, RegisterBehavior, SapphireClient } from '@sapphire/framework';
import '@sapphire/plugin-scheduled-tasks/register';
// Types only (ClientOptions.api); the plugin itself is registered by boot.ts when API_PORT is set.
import type {} from '@sapphire/plugin-api';
import { GatewayIntentBits, Options, Partials } from 'discord.js';
import { fileURLToPath } from 'node:url';
import type { Config } from '#root/config.js';
import type { NexusLogger } from '#lib/logging/NexusLogger.js';
import { redisConnectionOptions } from '#lib/redisConnection.js';

/**
 * The one client class. Intents are exactly what the features read: guild structure, message and
 * reaction events (counts only — no MessageContent intent), members for joins/leaves, voice states.
 * Caches are chosen deliberately: a stats bot never needs message objects, so the message cache is
 * off (about -25% client CPU per message, measured in SANDBOX-NOTES). Reactions are counted from
 * the raw dispatch, so there are no Message/Reaction partials: discord.js drops a reaction on an
 * uncached message at once instead of building a partial message and reaction nobody reads.
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
			// Pieces live next to this file (dist/ in production). Explicit, because Sapphire otherwise
			// looks for package.json in the working directory, which pm2 or a test may set elsewhere.
			baseUserDirectory: fileURLToPath(new URL('.', import.meta.url)),
			rest: config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {},
			logger: { instance: logger, level: LogLevel.Info },
			loadMessageCommandListeners: false,
			// boot.ts registers the plugin only when API_PORT is set; ApiService listens and closes (not the plugin's pre-login hook).
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
			tasks: {
				queue: config.TASKS_QUEUE,
				bull: {
					connection: redisConnectionOptions(config.REDIS_URL),
					defaultJobOptions: { removeOnComplete: 100, removeOnFail: 500 }
				}
			}
		});
		if (config.DEV_GUILD_ID) ApplicationCommandRegistries.setDefaultGuildIds([config.DEV_GUILD_ID]);
		// One PUT per start instead of a diff-and-PATCH per command.
		ApplicationCommandRegistries.setDefaultBehaviorWhenNotIdentical(RegisterBehavior.BulkOverwrite);
		container.config = config;
	}
}

declare module '@sapphire/pieces' {
	interface Container {
		config: Config;
	}
}
