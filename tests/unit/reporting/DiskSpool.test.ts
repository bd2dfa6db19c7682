import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskSpool, spoolDirBytes } from '#lib/reporting/DiskSpool.js';
import type { PlainEvent } from '#lib/reporting/EventFormatter.js';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'nexus-spool-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function batch(from: number, count: number, pad = 0): PlainEvent[] {
	return Array.from({ length: count }, (_, i) => ({ seq: from + i, event: 'e', severity: 'INFO' as const, timestamp: '2025-01-01T00:00:00.000Z', data: { pad: 'p'.repeat(pad) } }));
}

function drainAll(spool: DiskSpool, step = 7): number[] {
	const seqs: number[] = [];
	while (!spool.isEmpty) {
		const events = spool.peek(step);
		seqs.push(...events.map((e) => e.seq));
		spool.ack(events.length);
	}
	return seqs;
}

describe('DiskSpool', () => {
	it('replays batches in order across partial acks, then deletes its files', async () => {
		const spool = new DiskSpool({ dir, maxBytes: 1_000_000 });
		await spool.append(batch(1, 10));
		await spool.append(batch(11, 5));
		await spool.append(batch(16, 20));
		expect(spool.stats).toMatchObject({ entries: 3, events: 35, dropped: 0 });
		expect(spool.peek(3).map((e) => e.seq)).toEqual([1, 2, 3]);
		expect(drainAll(spool)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
		expect(spool.stats).toMatchObject({ entries: 0, events: 0, bytes: 0 });
		expect(readdirSync(dir)).toEqual([]);
	});

	it('survives a restart: a new instance resumes at the acknowledged position', async () => {
		const first = new DiskSpool({ dir, maxBytes: 1_000_000, segmentBytes: 600 });
		for (let i = 0; i < 20; i++) await first.append(batch(i * 10 + 1, 10));
		first.ack(37); // 3 full batches and 7 of the 4th
		const second = new DiskSpool({ dir, maxBytes: 1_000_000, segmentBytes: 600 });
		expect(second.stats.events).toBe(163);
		expect(second.maxSeq).toBe(200);
		expect(drainAll(second)).toEqual(Array.from({ length: 163 }, (_, i) => i + 38));
	});

	it('ignores a torn last line from a crash mid-append and keeps appending after it', async () => {
		const spool = new DiskSpool({ dir, maxBytes: 1_000_000 });
		await spool.append(batch(1, 3));
		await spool.append(batch(4, 3));
		const [file] = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
		const path = join(dir, file!);
		appendFileSync(path, '812 [{"seq":7,"event":"e","sever'); // torn write
		const reopened = new DiskSpool({ dir, maxBytes: 1_000_000 });
		expect(reopened.stats.events).toBe(6);
		await reopened.append(batch(7, 2));
		expect(readFileSync(path, 'utf8')).not.toContain('sever\n');
		const again = new DiskSpool({ dir, maxBytes: 1_000_000 });
		expect(drainAll(again)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
	});

	it('a line whose length prefix does not match is rejected even if it parses', async () => {
		const spool = new DiskSpool({ dir, maxBytes: 1_000_000 });
		await spool.append(batch(1, 1));
		const [file] = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
		const json = JSON.stringify(batch(2, 1));
		appendFileSync(join(dir, file!), `${json.length + 5} ${json}\n`);
		expect(new DiskSpool({ dir, maxBytes: 1_000_000 }).stats.events).toBe(1);
	});

	it('stays within maxBytes by dropping the OLDEST segments, counts the drops once, keeps the newest in order', async () => {
		const maxBytes = 20_000;
		const spool = new DiskSpool({ dir, maxBytes, segmentBytes: 2_000 });
		let seq = 1;
		for (let i = 0; i < 200; i++) {
			await spool.append(batch(seq, 5, 20));
			seq += 5;
			expect(spool.stats.bytes).toBeLessThanOrEqual(maxBytes);
			expect(spoolDirBytes(dir)).toBe(spool.stats.bytes);
		}
		const { events, dropped } = spool.stats;
		expect(dropped).toBeGreaterThan(0);
		expect(events + dropped).toBe(1000);
		// Survives a restart, and is reported once.
		const reopened = new DiskSpool({ dir, maxBytes, segmentBytes: 2_000 });
		expect(reopened.takeDropped()).toBe(dropped);
		expect(reopened.takeDropped()).toBe(0);
		const seqs = drainAll(reopened, 13);
		expect(seqs).toEqual(Array.from({ length: events }, (_, i) => 1000 - events + 1 + i));
	});

	it('a batch larger than the whole spool is dropped and counted, not written', async () => {
		const spool = new DiskSpool({ dir, maxBytes: 2048 });
		await spool.append(batch(1, 3, 5000));
		expect(spool.stats).toMatchObject({ events: 0, dropped: 3 });
	});

	it('keeps caller files byte for byte', async () => {
		const spool = new DiskSpool({ dir, maxBytes: 1_000_000 });
		const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
		await spool.append([{ ...batch(1, 1)[0]!, files: [{ name: 'chart.png', data: png }] }]);
		const [event] = new DiskSpool({ dir, maxBytes: 1_000_000 }).peek(1);
		expect(event!.files![0]!.data.equals(png)).toBe(true);
	});

	it('a damaged cursor file means replay from the start (duplicates, never loss)', async () => {
		const spool = new DiskSpool({ dir, maxBytes: 1_000_000 });
		await spool.append(batch(1, 4));
		spool.ack(2);
		writeFileSync(join(dir, 'cursor.json'), '{not json');
		expect(drainAll(new DiskSpool({ dir, maxBytes: 1_000_000 }))).toEqual([1, 2, 3, 4]);
	});
});
