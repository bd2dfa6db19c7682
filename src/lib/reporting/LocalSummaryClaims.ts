import type { ClaimOutcome, DayClaims } from './SummaryClaims.js';

/**
 * Daily summary claims for a single process (no Redis): nobody else can post, and the poster
 * already serialises its own runs (the midnight task and the catch-up on ready), so a claim only
 * has to remember the days this process finished. The durable marker is the statistics store's
 * `lastSummaryDate`, which the poster moves forward after each day.
 */
export class LocalSummaryClaims implements DayClaims {
	private readonly done = new Set<string>();
	private readonly held = new Set<string>();

	public claim(day: string): Promise<ClaimOutcome> {
		if (this.done.has(day)) return Promise.resolve('done');
		this.held.add(day);
		return Promise.resolve('claimed');
	}

	public holds(day: string): Promise<boolean> {
		return Promise.resolve(this.held.has(day));
	}

	public markDone(day: string): Promise<boolean> {
		if (!this.held.delete(day)) return Promise.resolve(false);
		this.done.add(day);
		return Promise.resolve(true);
	}

	public release(day: string): Promise<void> {
		this.held.delete(day);
		return Promise.resolve();
	}
}
