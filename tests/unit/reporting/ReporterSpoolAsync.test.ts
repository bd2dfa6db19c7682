import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, delivered, range, useReporterSandbox, waitFor } from './support/reportingSandbox.js';

// Counts synchronous fsyncs: each one stalls the event loop (gateway heartbeats, commands) on the disk.
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

const t = useReporterSandbox({ reporterClock: true });

let syncSpy: ReturnType<typeof vi.spyOn> | undefined;
let held: (() => void)[] = [];
let holdSyncs = false;

beforeEach(async () => {
	fsyncSyncCalls.count = 0;
	held = [];
	holdSyncs = false;
	const probe = await open(join(t.tmp.dir, 'probe'), 'w');
	const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
	await probe.close();
	const original = proto.sync;
	syncSpy = vi.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
		await original.call(this);
		if (holdSyncs) await new Promise<void>((resolve) => held.push(resolve));
	});
});
afterEach(() => {
	syncSpy?.mockRestore();
});

describe('Reporter spooling during an outage', () => {
	it('never fsyncs on the event loop, and deliver() says spooled only once the fsync is done', async () => {
		const { reporter } = t.make();
		reporter.start();
		await t.sandbox.faults.outage();

		holdSyncs = true;
		let outcome: string | undefined;
		const delivery = reporter.deliver('logs', { event: 'summary', severity: 'INFO' }).then((value) => (outcome = value));
		await waitFor(() => held.length >= 1, 5000, 'the spool fsync to start');
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(outcome).toBeUndefined(); // written, not yet durable: not acknowledged
		holdSyncs = false;
		for (const release of held.splice(0)) release();
		await delivery;
		expect(outcome).toBe('spooled');

		// The rest of the outage: traffic spooled every few hundred ms, none of it with a synchronous fsync.
		for (let chunk = 0; chunk < 6; chunk++) {
			for (let i = 0; i < 50; i++) reporter.enqueue('logs', { event: 'during', data: { chunk, i } });
			await new Promise((resolve) => setTimeout(resolve, 60));
		}
		await waitFor(() => reporter.snapshot().channels.logs.spool.events === 301, 5000, 'all spooled');
		expect(syncSpy!.mock.calls.length).toBeGreaterThan(0);
		expect(fsyncSyncCalls.count).toBe(0);

		await t.sandbox.faults.recover();
		await waitFor(() => delivered(t.sandbox, CHANNELS.logs).length >= 301, 10_000, 'the replay');
		expect(delivered(t.sandbox, CHANNELS.logs).map((event) => event.seq)).toEqual(range(1, 301));
	});
});
