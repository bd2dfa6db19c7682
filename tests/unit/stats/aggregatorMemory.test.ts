import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { StatsAggregator } from '#lib/stats/StatsAggregator.js';
import { VoiceSessionTracker } from '#lib/stats/VoiceSessionTracker.js';
import { deltaRowCount } from '#lib/stats/statsTypes.js';

// A real collector even when node was started without --expose-gc (vitest workers are).
setFlagsFromString('--expose-gc');
const gc = (globalThis.gc ?? runInNewContext('gc')) as () => void;

function heapAfterGc(): number {
	for (let i = 0; i < 3; i++) gc();
	return process.memoryUsage().heapUsed;
}

describe('memory stays flat (no unbounded maps)', () => {
	it('1M events from 100k distinct users, drained like periodic flushes', () => {
		const aggregator = new StatsAggregator();
		const tracker = new VoiceSessionTracker({ minSessionSeconds: 10, credit: (segment) => aggregator.recordVoice(segment) });
		const users = Array.from({ length: 100_000 }, (_, i) => String(200000000000000000n + BigInt(i)));
		const channels = Array.from({ length: 50 }, (_, i) => `c${i}`);
		const start = Date.UTC(2026, 0, 5);
		const EVENTS = 1_000_000;
		const FLUSH_EVERY = 50_000;
		const samples: number[] = [];
		let drainedRows = 0;
		const voiceQueue: string[] = [];
		let random = 12345;
		const next = () => (random = (random * 1103515245 + 12345) & 0x7fffffff);
		const baseline = heapAfterGc();
		for (let i = 0; i < EVENTS; i++) {
			const at = start + i * 20; // ~5.5 hours of traffic: hour buckets roll over too
			const user = users[next() % users.length];
			const kind = i % 10;
			if (kind < 7) aggregator.recordMessage({ guildId: 'g', channelId: channels[i % 50], userId: user, bot: false, at });
			else if (kind === 7) aggregator.recordReaction({ guildId: 'g', channelId: channels[i % 50], userId: user, authorId: users[next() % users.length], delta: 1, at });
			else if (kind === 8) {
				// Each voice visit lasts 100 voice events (~20 s): at most 100 open sessions at a time.
				tracker.onVoiceState('g', user, null, { channelId: channels[i % 7], muted: false, deafened: false, streaming: false }, at);
				voiceQueue.push(user);
				if (voiceQueue.length > 100) tracker.onVoiceState('g', voiceQueue.shift()!, { channelId: 'x', muted: false, deafened: false, streaming: false }, null, at);
			} else aggregator.recordMemberJoin({ guildId: 'g', userId: user, at });
			if ((i + 1) % FLUSH_EVERY === 0) {
				tracker.checkpoint(at);
				drainedRows += deltaRowCount(aggregator.drain());
				expect(aggregator.size).toBe(0);
				if ((i + 1) % (FLUSH_EVERY * 4) === 0) samples.push(heapAfterGc());
			}
		}
		tracker.closeAll(start + EVENTS * 20);
		drainedRows += deltaRowCount(aggregator.drain());
		const end = heapAfterGc();
		const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
		console.log(`[memory] baseline ${mb(baseline)} MB, after each 200k events ${samples.map(mb).join(' / ')} MB, end ${mb(end)} MB; ${drainedRows} rows drained`);
		expect(drainedRows).toBeGreaterThan(500_000);
		expect(tracker.size).toBe(0);
		// Flat: the heap after 1M events is within a few MB of the heap after 200k, and of the start.
		expect(end - samples[0]).toBeLessThan(8 * 1024 * 1024);
		expect(Math.max(...samples) - Math.min(...samples)).toBeLessThan(8 * 1024 * 1024);
		expect(end - baseline).toBeLessThan(8 * 1024 * 1024);
	}, 60_000);
});
