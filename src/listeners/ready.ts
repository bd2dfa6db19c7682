import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Client } from 'discord.js';

@ApplyOptions<Listener.Options>({ event: Events.ClientReady, once: true })
export class ReadyListener extends Listener<typeof Events.ClientReady> {
	public override run(client: Client<true>) {
		this.container.logger.info(`Nexus ready as ${client.user.tag} in ${client.guilds.cache.size} guild(s).`);
		// Voice sessions open at startup were seeded from each guild's GUILD_CREATE (guildAvailable.ts).
		this.container.scheduler.beginWatching();
		// pm2 `wait_ready`: pm2's start/restart/reload finishes only once this process is logged in (ecosystem.config.cjs).
		process.send?.('ready');
	}
}
