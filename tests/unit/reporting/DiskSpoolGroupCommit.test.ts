import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlainEvent } from '#lib/reporting/EventFormatter.js';

// Counts every synchronous fsync the spool makes (the event loop waits for the disk during those).
const fsyncSyncCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:fs', async (importOriginal) => {
	const actual = await importOriginal<typeof import('node:fs')>();
	return {
		...actual,
		fsyncSync: (fd: number) => {
			fsyncSyncCalls.count++;
			actual.fsyncSync(fd);
		}
	};
});

const { DiskSpool } = await import('#lib/reporting/DiskSpool.js');

let dir: string;
let syncSpy: ReturnType<typeof vi.spyOn> | undefined;
/** Held fsyncs: each resolves when released, as a slow disk would. */
let held: (() => void)[] = [];
let holdSyncs = false;

beforeEach(async () => {
	dir = mkdtempSync(join(tmpdir(), 'nexus-spool-gc-'));
	fsyncSyncCalls.count = 0;
	held = [];
	holdSyncs = false;
	const probe = await open(join(dir, 'probe'), 'w');
	const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
	await probe.close();
	rmSync(join(dir, 'probe'));
	const original = proto.sync;
	syncSpy = vi.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
		await original.call(this);
		if (holdSyncs) await new Promise<void>((resolve) => held.push(resolve));
	});
});
afterEach(() => {
	syncSpy?.mockRestore();
	rmSync(dir, { recursive: true, force: true });
});

function batch(from: number, count: number): PlainEvent[] {
	return Array.from({ length: count }, (_, i) => ({ seq: from + i, event: 'e', severity: 'INFO' as const, timestamp: '2025-01-01T00:00:00.000Z', data: {} }));
}

async function until(condition: () => boolean): Promise<void> {
	for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
	expect(condition()).toBe(true);
}

function drain(spool: InstanceType<typeof DiskSpool>): number[] {
	const seqs: number[] = [];
	while (!spool.isEmpty) {
		const events = spool.peek(50);
		seqs.push(...events.map((event) => event.seq));
		spool.ack(events.length);
	}
	return seqs;
}

describe('DiskSpool group commit', () => {
	it('an outage of many appends never fsyncs on the event loop, and appends issued together share a few fsyncs', async () => {
		const spool = new DiskSpool({ dir, maxBytes: 10_000_000 });
		// 200 batches arriving while the disk is busy (a 250 ms spool tick over a long outage, compressed).
		const appends = Array.from({ length: 200 }, (_, i) => spool.append(batch(i * 3 + 1, 3)));
		await Promise.all(appends);
		expect(fsyncSyncCalls.count).toBe(0);
		expect(syncSpy!.mock.calls.length).toBeGreaterThan(0);
		expect(syncSpy!.mock.calls.length).toBeLessThanOrEqual(3);
		expect(drain(new DiskSpool({ dir, maxBytes: 10_000_000 }))).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
	});

	it('a batch is acknowledged only once its fsync is done; batches arriving meanwhile go in the next fsync, in order', async () => {
		const spool = new DiskSpool({ dir, maxBytes: 10_000_000 });
		holdSyncs = true;
		let firstDone = false;
		const first = spool.append(batch(1, 2)).then(() => (firstDone = true));
		await until(() => held.length === 1); // written, fsync in flight
		expect(firstDone).toBe(false);
		expect(spool.isEmpty).toBe(false); // new events must queue behind it
		const laterDone: boolean[] = [false, false, false];
		const later = [3, 5, 7].map((from, i) => spool.append(batch(from, 2)).then(() => (laterDone[i] = true)));
		held.shift()!();
		await first;
		expect(laterDone).toEqual([false, false, false]);
		await until(() => held.length === 1); // one fsync for the three that arrived meanwhile
		expect(laterDone).toEqual([false, false, false]);
		held.shift()!();
		await Promise.all(later);
		expect(syncSpy!.mock.calls.length).toBe(2);
		expect(fsyncSyncCalls.count).toBe(0);
		expect(drain(spool)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
	});

	it('appendSync (shutdown deadline) makes every waiting batch durable first, in order', async () => {
		const spool = new DiskSpool({ dir, maxBytes: 10_000_000 });
		holdSyncs = true;
		const first = spool.append(batch(1, 2));
		await until(() => held.length === 1);
		const second = spool.append(batch(3, 2));
		spool.appendSync(batch(5, 2));
		// Durable now: another process opening the directory (the next start) replays all three in order.
		expect(new DiskSpool({ dir, maxBytes: 10_000_000 }).peek(100).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6]);
		await Promise.all([first, second]);
		held.shift()!();
		await until(() => held.length === 0);
		expect(spool.stats.events).toBe(6);
		expect(drain(spool)).toEqual([1, 2, 3, 4, 5, 6]);
	});
});
