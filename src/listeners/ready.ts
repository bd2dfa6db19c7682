import { Events, Listener } from '@sapphire/framework';
import type { Client } from 'discord.js';

export class ReadyListener extends Listener<typeof Events.ClientReady> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ClientReady, once: true });
	}

	public override run(client: Client<true>) {
		this.container.logger.info(`Nexus ready as ${client.user.tag} in ${client.guilds.cache.size} guild(s).`);
		// Voice sessions open at startup were seeded from each guild's GUILD_CREATE (guildAvailable.ts).
		this.container.scheduler.beginWatching();
		// pm2 `wait_ready`: a reload only retires the old process once the new one is really up.
		process.send?.('ready');
	}
}
