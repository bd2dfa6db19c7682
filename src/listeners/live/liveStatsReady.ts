import { Events, Listener } from '@sapphire/framework';

/** Once the guilds are known, refresh what fell due while the bot was away (rather than at the next idle check). */
export class LiveStatsReadyListener extends Listener<typeof Events.ClientReady> {
	public constructor(context: Listener.LoaderContext, options: Listener.Options) {
		super(context, { ...options, event: Events.ClientReady, once: true });
	}

	public run() {
		this.container.liveMessages.wake();
		this.container.counterChannels.pass();
	}
}
