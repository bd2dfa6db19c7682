import { ApplicationCommandRegistries, container, RegisterBehavior } from '@sapphire/framework';
import '@sapphire/plugin-subcommands/register';
import type { Config } from '#root/config.js';
import { shardIdentity, type ShardIdentity } from '#lib/fleet/shardIdentity.js';

export interface SetupResult {
	shard: ShardIdentity;
	/** This process serves the HTTP API (metrics, health, dashboard). */
	servesApi: boolean;
	/** Which scheduler runs, and the reason the start-up log gives. */
	scheduler: { kind: 'bullmq' | 'embedded'; reason: string };
}

/**
 * Everything that must happen before the client is built: plugin registration, application-command
 * defaults, and the config on the container (pieces read it in their options). Called by index.ts
 * before boot(). Type augmentations are in types/augments.ts.
 */
export async function setup(config: Config): Promise<SetupResult> {
	container.config = config;
	const shard = shardIdentity();
	// Sharded, one process per machine serves the API (its first shard, on API_PORT; shard 0 on a single
	// machine), showing the whole fleet; the others would only collide on the port.
	const apiShard = Number(process.env.NEXUS_API_SHARD ?? 0);
	const servesApi = config.API_PORT !== undefined && (!shard.sharded || shard.id === apiShard);
	// The HTTP API exists only with API_PORT: the plugin registers itself on import.
	if (servesApi) await import('@sapphire/plugin-api/register');
	// Scheduled tasks on BullMQ only with Redis: the plugin connects as soon as it is registered.
	const scheduler = schedulerChoice(config);
	if (scheduler.kind === 'bullmq') await import('@sapphire/plugin-scheduled-tasks/register');
	if (config.DEV_GUILD_ID) ApplicationCommandRegistries.setDefaultGuildIds([config.DEV_GUILD_ID]);
	// One PUT per start instead of a diff-and-PATCH per command.
	ApplicationCommandRegistries.setDefaultBehaviorWhenNotIdentical(RegisterBehavior.BulkOverwrite);
	return { shard, servesApi, scheduler };
}

/** A configured Redis that is down is an outage, never a reason to switch to the embedded scheduler. */
function schedulerChoice(config: Config): SetupResult['scheduler'] {
	return config.REDIS_URL
		? { kind: 'bullmq', reason: `REDIS_URL is set (queue "${config.TASKS_QUEUE}"; each tick runs once across every process sharing it)` }
		: { kind: 'embedded', reason: 'REDIS_URL is unset (one process runs every scheduled task; set REDIS_URL to run several processes)' };
}
