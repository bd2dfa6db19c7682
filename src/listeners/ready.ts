import { Events, Listener } from '@sapphire/framework';
import type { Client } from 'discord.js';
import { voiceStatesOf } from '#lib/discord/voiceSnapshot.js';

export class ReadyListener extends Listener<typeof Events.ClientReady> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ClientReady, once: true });
	}

	public override run(client: Client<true>) {
		this.container.logger.info(`Nexus ready as ${client.user.tag} in ${client.guilds.cache.size} guild(s).`);
		// Sessions open at startup count from now; time before the restart was credited by the last process.
		for (const guild of client.guilds.cache.values()) this.container.stats.seedVoiceStates(guild.id, voiceStatesOf(guild));
		this.container.scheduler.beginWatching();
		// pm2 `wait_ready`: a reload only retires the old process once the new one is really up.
		process.send?.('ready');
	}
}
