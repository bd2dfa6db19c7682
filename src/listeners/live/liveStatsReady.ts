import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';

/** Once the guilds are known, refresh what fell due while the bot was away (rather than at the next idle check). */
@ApplyOptions<Listener.Options>({ event: Events.ClientReady, once: true })
export class LiveStatsReadyListener extends Listener<typeof Events.ClientReady> {
	public run() {
		this.container.liveMessages.wake();
		this.container.counterChannels.pass();
	}
}
