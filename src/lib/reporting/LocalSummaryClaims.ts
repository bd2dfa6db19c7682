import type { ClaimOutcome } from './SummaryClaims.js';

/**
 * Daily summary claims for a single process (no Redis): nobody else can post, and the poster
 * already serialises its own runs (the midnight task and the catch-up on ready), so a claim only
 * has to remember the days this process handed to the reporter. The durable marker is the
 * statistics store's `lastSummaryDate`, which the poster moves forward after each day.
 */
export class LocalSummaryClaims {
	private readonly done = new Set<string>();

	public claim(day: string): Promise<ClaimOutcome> {
		return Promise.resolve(this.done.has(day) ? 'done' : 'claimed');
	}

	public confirm(day: string): Promise<void> {
		this.done.add(day);
		return Promise.resolve();
	}

	public release(): Promise<void> {
		return Promise.resolve();
	}
}
