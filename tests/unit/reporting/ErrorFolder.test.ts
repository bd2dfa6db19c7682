import { describe, expect, it, vi } from 'vitest';
import { errorFingerprint, ErrorFolder, normaliseMessage, topFrame, type FoldedError } from '#lib/reporting/ErrorFolder.js';

const stackAt = (line: number, column: number, message = 'boom') => `Error: ${message}\n    at renderChart (file:///app/dist/lib/charts/ChartRenderer.js:${line}:${column})\n    at async run (file:///app/dist/commands/Stats/guildstats.js:10:5)`;

describe('errorFingerprint', () => {
	it('is the same for messages that differ only in ids, numbers, quoted values and columns', () => {
		const a = errorFingerprint('/guildstats server failed: guild 1419516681427882115 timed out after 5012 ms', stackAt(42, 7));
		const b = errorFingerprint('/guildstats server failed: guild 998877665544332211 timed out after 61 ms', stackAt(42, 19));
		expect(a).toBe(b);
		expect(normaliseMessage('row "abc" at 0x1f and deadbeefdeadbeef, id 3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBe('row <str> at <hex> and <hex>, id <uuid>');
	});

	it('differs by message pattern and by top stack frame', () => {
		const base = errorFingerprint('query failed: timeout', stackAt(42, 7));
		expect(errorFingerprint('query failed: syntax error', stackAt(42, 7))).not.toBe(base);
		expect(errorFingerprint('query failed: timeout', stackAt(43, 7))).not.toBe(base);
		expect(topFrame(stackAt(42, 7))).toBe('at renderChart (file:///app/dist/lib/charts/ChartRenderer.js:42)');
	});

	it('reads the top frame from the message when the logger joined the stack into it', () => {
		const line = `/nexus status failed: ${stackAt(12, 3)}`;
		expect(errorFingerprint(line)).toBe(errorFingerprint(`/nexus status failed: ${stackAt(12, 9)}`));
		expect(errorFingerprint('no stack here')).toBe('no stack here @ ?');
	});
});

describe('ErrorFolder', () => {
	function setup(windowMs = 600_000) {
		let now = 1_000_000;
		const emitted: FoldedError[] = [];
		const folder = new ErrorFolder({ windowMs, now: () => now, emit: (folded) => emitted.push(folded) });
		return { folder, emitted, advance: (ms: number) => (now += ms), at: () => now };
	}

	it('passes the first occurrence, counts the repeats, and emits one summary with first/last when the window closes', () => {
		const { folder, emitted, advance } = setup();
		expect(folder.offer('fp', { message: 'boom 1' })).toBe(true);
		const passed = [];
		for (let i = 2; i <= 38; i++) {
			advance(1000);
			passed.push(folder.offer('fp', { message: `boom ${i}` }));
		}
		expect(passed.every((value) => value === false)).toBe(true);
		folder.closeDue();
		expect(emitted).toEqual([]);
		advance(600_000);
		folder.closeDue();
		expect(emitted).toHaveLength(1);
		expect(emitted[0]).toMatchObject({ fingerprint: 'fp', count: 37, windowMs: 600_000, firstAt: 1_001_000, lastAt: 1_037_000, last: { message: 'boom 38' } });
		expect(folder.folded).toBe(37);
	});

	it('a steady error costs one message per window; a window without repeats forgets it', () => {
		const { folder, emitted, advance } = setup(10_000);
		expect(folder.offer('fp', { message: 'x' })).toBe(true);
		for (let second = 1; second <= 30; second++) {
			advance(1000);
			expect(folder.offer('fp', { message: 'x' })).toBe(false);
		}
		// Windows closed at 10 s, 20 s, 30 s (each by the next offer): three summaries, no second "first" post.
		expect(emitted.map((entry) => entry.count)).toEqual([9, 10, 10]);
		advance(10_000);
		folder.closeDue();
		expect(emitted.map((entry) => entry.count)).toEqual([9, 10, 10, 1]);
		advance(10_000);
		folder.closeDue();
		expect(emitted).toHaveLength(4);
		expect(folder.offer('fp', { message: 'x' })).toBe(true);
	});

	it('keeps fingerprints apart, emits pending counts at stop, and with window 0 folds nothing', () => {
		const { folder, emitted } = setup();
		expect(folder.offer('a', { message: 'a' })).toBe(true);
		expect(folder.offer('b', { message: 'b' })).toBe(true);
		expect(folder.offer('a', { message: 'a' })).toBe(false);
		folder.stop();
		expect(emitted.map((entry) => [entry.fingerprint, entry.count])).toEqual([['a', 1]]);
		const off = new ErrorFolder({ windowMs: 0, emit: () => undefined });
		expect([off.offer('a', { message: 'a' }), off.offer('a', { message: 'a' })]).toEqual([true, true]);
	});

	it('keeps a timer only while some window is open: an error-free bot is not woken every second', () => {
		vi.useFakeTimers();
		try {
			const emitted: FoldedError[] = [];
			const folder = new ErrorFolder({ windowMs: 5_000, emit: (folded) => emitted.push(folded) });
			folder.start();
			expect(vi.getTimerCount()).toBe(0);
			folder.offer('fp', { message: 'boom' });
			folder.offer('fp', { message: 'boom' });
			expect(vi.getTimerCount()).toBe(1);
			vi.advanceTimersByTime(5_000); // the window closes with one repeat: emitted, and the next window folds
			expect(emitted).toHaveLength(1);
			expect(vi.getTimerCount()).toBe(1);
			vi.advanceTimersByTime(5_000); // a window without repeats forgets the fingerprint
			expect(vi.getTimerCount()).toBe(0);
			folder.offer('fp', { message: 'boom' });
			expect(vi.getTimerCount()).toBe(1);
			folder.stop();
			expect(vi.getTimerCount()).toBe(0);
		} finally {
			vi.useRealTimers();
		}
	});
});
