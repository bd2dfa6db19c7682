import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';

/** On start: post the daily summaries missed while the bot was down (each once, fleet-wide). */
@ApplyOptions<Listener.Options>({ event: Events.ClientReady, once: true })
export class DailySummaryCatchUpListener extends Listener<typeof Events.ClientReady> {
	public override run() {
		// Not awaited: ready must not wait for the store, Redis or Discord. A failure is retried by the next task run.
		this.container.dailySummary.run().catch((error: unknown) => this.container.logger.warn('Daily summary catch-up failed (the next run retries):', error));
	}
}
