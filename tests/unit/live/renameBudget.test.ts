import { describe, expect, it } from 'vitest';
import { recordRename, renameWait, type RenameLimit } from '#lib/live/renameBudget.js';

const limit: RenameLimit = { limit: 2, windowMs: 600_000, marginMs: 5000 };

describe('rename budget (2 per 10 minutes)', () => {
	it('allows two renames, then waits until the older one leaves the window (plus the margin)', () => {
		let renames: number[] = [];
		expect(renameWait(renames, 0, limit)).toBe(0);
		renames = recordRename(renames, 1000, limit);
		expect(renameWait(renames, 2000, limit)).toBe(0);
		renames = recordRename(renames, 61_000, limit);
		expect(renameWait(renames, 62_000, limit)).toBe(1000 + 600_000 + 5000 - 62_000);
		expect(renameWait(renames, 606_000, limit)).toBe(0);
		renames = recordRename(renames, 606_000, limit);
		// Now the rename at 61 000 is the older of the two that count.
		expect(renameWait(renames, 607_000, limit)).toBe(61_000 + 605_000 - 607_000);
	});

	it('keeps only what can still count', () => {
		expect(recordRename([1, 2, 3], 1_000_000, limit)).toEqual([1_000_000]);
		expect(recordRename([900_000, 950_000], 1_000_000, limit)).toEqual([950_000, 1_000_000]);
	});

	it('never allows a third rename inside any window, whatever the order of checks', () => {
		let renames: number[] = [];
		const done: number[] = [];
		for (let now = 0; now < 3_600_000; now += 7_000) {
			if (renameWait(renames, now, limit) === 0) {
				renames = recordRename(renames, now, limit);
				done.push(now);
			}
		}
		for (let i = 2; i < done.length; i++) expect(done[i]! - done[i - 2]!).toBeGreaterThanOrEqual(limit.windowMs);
	});
});
