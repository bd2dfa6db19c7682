import { closeSync, constants, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlainEvent } from './EventFormatter.js';

export interface DiskSpoolOptions {
	dir: string;
	/** Upper bound of all segment files together; the oldest segments are dropped beyond it. */
	maxBytes: number;
	/** Size at which a new segment file starts (dropping happens a segment at a time). Default maxBytes/16. */
	segmentBytes?: number;
}

export interface DiskSpoolStats {
	bytes: number;
	/** Batches stored and not yet fully replayed. */
	entries: number;
	/** Events stored and not yet replayed. */
	events: number;
	/** Events dropped because the spool was full (or corrupt), not yet reported. */
	dropped: number;
}

interface Entry {
	segment: number;
	offset: number;
	length: number;
	events: number;
	lastSeq: number;
}

/** A batch with its place reserved in a segment, written but not yet known to be durable. */
interface Unsynced {
	segment: number;
	offset: number;
	line: Buffer;
	events: number;
	lastSeq: number;
	/** Durable and indexed (by its group's fsync, or by appendSync). */
	committed: boolean;
	/** Refused (the disk failed before it was durable). */
	failed: boolean;
	resolve: () => void;
	reject: (error: Error) => void;
	done: Promise<void>;
}

/** Positional writes (never O_APPEND, where Linux ignores the position); no truncation. */
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT;

interface Cursor {
	/** Events of the head entry already replayed. */
	skip: number;
	/** Dropped events not yet reported (survives restarts). */
	dropped: number;
}

const SEGMENT = /^segment-(\d{12})\.jsonl$/;
const CURSOR_FILE = 'cursor.json';

/**
 * Append-only, size-bounded, crash-safe spool of unsent report batches, replayed in order.
 *
 * Layout: `segment-<n>.jsonl` files, one batch per line as `<bytes> <json>\n`, written with
 * fsync so a batch acknowledged as spooled survives a crash. `append` is asynchronous (the event
 * loop never waits for the disk) with group commit: each batch gets its place in the file at once
 * (so order holds), batches appended while an fsync is in flight are written and fsync'd together
 * next, and each promise resolves only once its batch is durable. A torn last line (crash mid-write)
 * fails the length/JSON check and is cut off on the next open. Replay progress lives in
 * `cursor.json` (head entry + events already sent inside it); fully replayed segments are deleted,
 * and the whole directory is emptied once everything is replayed. When full, whole oldest
 * segments are dropped and their unsent events counted until `takeDropped()` reports them.
 *
 * `appendSync` is for a shutdown deadline, which must spool from inside an abort handler before the
 * process exits: it also writes every batch still waiting for its fsync. Reads, replay progress and
 * dropping stay synchronous (they are rare and do not fsync).
 */
export class DiskSpool {
	private readonly dir: string;
	private readonly maxBytes: number;
	private readonly segmentBytes: number;
	private readonly entries: Entry[] = [];
	private entryHead = 0;
	private readonly segmentSizes = new Map<number, number>();
	private cursor: Cursor = { skip: 0, dropped: 0 };
	private pendingEvents = 0;
	private totalBytes = 0;
	private highestSeq = 0;
	private readonly parsed = new Map<Entry, PlainEvent[]>();
	/** Reserved batches not yet durable, in file order. */
	private unsynced: Unsynced[] = [];
	private unsyncedEvents = 0;
	private writing = false;
	/** Segment numbers never go back while a write may still be in flight to an older one. */
	private nextSegmentFloor = 1;
	/** After a failed write the next batch starts a new segment (never behind half-written bytes). */
	private forceNewSegment = false;

	public constructor(options: DiskSpoolOptions) {
		this.dir = options.dir;
		this.maxBytes = Math.max(1024, options.maxBytes);
		this.segmentBytes = Math.max(512, Math.min(options.segmentBytes ?? Math.floor(this.maxBytes / 16), this.maxBytes));
		mkdirSync(this.dir, { recursive: true });
		this.load();
	}

	/** False while anything is stored or still being written (new events must queue behind it). */
	public get isEmpty(): boolean {
		return this.pendingEvents === 0 && this.unsyncedEvents === 0;
	}

	public get stats(): DiskSpoolStats {
		return { bytes: this.totalBytes, entries: this.entries.length - this.entryHead, events: this.pendingEvents, dropped: this.cursor.dropped };
	}

	/** Highest seq ever seen in this spool (also of replayed events still on disk), for seq recovery at start. */
	public get maxSeq(): number {
		return this.highestSeq;
	}

	/**
	 * Stores one batch behind everything already spooled; resolves once it is durable (fsync'd),
	 * rejects when the disk fails. Never blocks the event loop on the disk.
	 */
	public append(events: readonly PlainEvent[]): Promise<void> {
		const reserved = this.reserve(events);
		if (!reserved) return Promise.resolve();
		this.unsynced.push(reserved);
		this.unsyncedEvents += reserved.events;
		void this.writeGroups();
		return reserved.done;
	}

	/** `append` for a shutdown deadline: durable when it returns, together with every batch still waiting. */
	public appendSync(events: readonly PlainEvent[]): void {
		const reserved = this.reserve(events);
		if (reserved) {
			this.unsynced.push(reserved);
			this.unsyncedEvents += reserved.events;
		}
		// Nobody awaits this one: its outcome is this method returning or throwing.
		reserved?.done.catch(() => undefined);
		const waiting = this.unsynced.filter((item) => !item.committed);
		if (waiting.length === 0) return;
		try {
			for (const [segment, items] of bySegment(waiting)) {
				const fd = openSync(this.segmentPath(segment), WRITE_FLAGS);
				try {
					for (const item of items) writeSync(fd, item.line, 0, item.line.length, item.offset);
					fsyncSync(fd);
				} finally {
					closeSync(fd);
				}
			}
		} catch (error) {
			this.failUnsynced(error as Error);
			throw error;
		}
		for (const item of waiting) this.commit(item);
		this.unsynced = [];
	}

	/** Gives the batch its place (segment and offset) now, so order holds whatever the disk does. */
	private reserve(events: readonly PlainEvent[]): Unsynced | undefined {
		if (events.length === 0) return undefined;
		const json = JSON.stringify(events.map(toStored));
		const line = Buffer.from(`${Buffer.byteLength(json)} ${json}\n`);
		while (line.length <= this.maxBytes && this.totalBytes + line.length > this.maxBytes && this.canDropOldest()) this.dropOldestSegment();
		if (this.totalBytes + line.length > this.maxBytes) {
			// Larger than the whole spool, or the room is taken by batches still being written: never kept.
			this.cursor.dropped += events.length;
			this.saveCursor();
			return undefined;
		}
		let segment = this.lastSegment();
		if (segment === undefined || this.forceNewSegment || (this.segmentSizes.get(segment) ?? 0) >= this.segmentBytes) segment = Math.max((segment ?? 0) + 1, this.nextSegmentFloor);
		this.forceNewSegment = false;
		this.nextSegmentFloor = Math.max(this.nextSegmentFloor, segment + 1);
		const offset = this.segmentSizes.get(segment) ?? 0;
		this.segmentSizes.set(segment, offset + line.length);
		this.totalBytes += line.length;
		let resolve!: () => void;
		let reject!: (error: Error) => void;
		const done = new Promise<void>((yes, no) => {
			resolve = yes;
			reject = no;
		});
		const lastSeq = events.reduce((max, event) => Math.max(max, event.seq), 0);
		return { segment, offset, line, events: events.length, lastSeq, committed: false, failed: false, resolve, reject, done };
	}

	/** Group commit: one write + fsync per segment for everything reserved so far; repeats while more arrives. */
	private async writeGroups(): Promise<void> {
		if (this.writing) return;
		this.writing = true;
		try {
			while (this.unsynced.some((item) => !item.committed)) {
				const group = this.unsynced.filter((item) => !item.committed);
				try {
					for (const [segment, items] of bySegment(group)) {
						if (items.every((item) => item.committed)) continue; // appendSync got there first
						const handle = await open(this.segmentPath(segment), WRITE_FLAGS);
						try {
							// Reserved back to back: one contiguous write per segment.
							const data = Buffer.concat(items.map((item) => item.line));
							for (let written = 0; written < data.length; ) {
								written += (await handle.write(data, written, data.length - written, items[0]!.offset + written)).bytesWritten;
							}
							await handle.sync();
						} finally {
							await handle.close();
						}
					}
				} catch (error) {
					this.failUnsynced(error as Error);
					return;
				}
				for (const item of group) if (!item.committed && !item.failed) this.commit(item);
				this.unsynced = this.unsynced.filter((item) => !item.committed);
			}
		} finally {
			this.writing = false;
		}
	}

	/** Durable: indexed for replay, and its caller told. */
	private commit(item: Unsynced): void {
		item.committed = true;
		this.unsyncedEvents -= item.events;
		this.highestSeq = Math.max(this.highestSeq, item.lastSeq);
		this.entries.push({ segment: item.segment, offset: item.offset, length: item.line.length, events: item.events, lastSeq: item.lastSeq });
		this.pendingEvents += item.events;
		item.resolve();
	}

	/**
	 * The disk failed: every batch not yet durable is refused (the caller keeps it elsewhere). Their
	 * places are given back, and the next batch starts a new segment: whatever half-written bytes are
	 * left behind sit past the last indexed line, cut off as a torn tail at the next open.
	 */
	private failUnsynced(error: Error): void {
		const failed = this.unsynced.filter((item) => !item.committed);
		this.unsynced = [];
		for (const item of failed) {
			item.failed = true;
			this.unsyncedEvents -= item.events;
			this.totalBytes -= item.line.length;
		}
		for (const [segment, items] of bySegment(failed)) {
			this.segmentSizes.set(segment, items[0]!.offset);
			if (items[0]!.offset === 0) this.segmentSizes.delete(segment);
		}
		this.nextSegmentFloor = Math.max(this.nextSegmentFloor, ...failed.map((item) => item.segment + 1));
		this.forceNewSegment = true;
		for (const item of failed) item.reject(error);
	}

	/** Up to `maxEvents` events from the head, in order, without removing them. */
	public peek(maxEvents: number): PlainEvent[] {
		const out: PlainEvent[] = [];
		for (let index = this.entryHead; index < this.entries.length && out.length < maxEvents; index++) {
			const entry = this.entries[index]!;
			const events = this.read(entry);
			const from = index === this.entryHead ? this.cursor.skip : 0;
			for (let at = from; at < events.length && out.length < maxEvents; at++) out.push(events[at]!);
		}
		return out;
	}

	/** Marks `count` events from the head as replayed; deletes segments nothing refers to any more. */
	public ack(count: number): void {
		let left = Math.min(count, this.pendingEvents);
		while (left > 0 && this.entryHead < this.entries.length) {
			const entry = this.entries[this.entryHead]!;
			const remaining = entry.events - this.cursor.skip;
			if (left >= remaining) {
				left -= remaining;
				this.pendingEvents -= remaining;
				this.cursor.skip = 0;
				this.parsed.delete(entry);
				this.entryHead++;
			} else {
				this.cursor.skip += left;
				this.pendingEvents -= left;
				left = 0;
			}
		}
		this.compact();
		this.saveCursor();
	}

	/** Dropped events since the last call (persisted until taken), so the caller reports them once. */
	public takeDropped(): number {
		const dropped = this.cursor.dropped;
		if (dropped > 0) {
			this.cursor.dropped = 0;
			this.saveCursor();
		}
		return dropped;
	}

	private read(entry: Entry): PlainEvent[] {
		const cached = this.parsed.get(entry);
		if (cached) return cached;
		const buffer = Buffer.alloc(entry.length);
		const fd = openSync(this.segmentPath(entry.segment), 'r');
		try {
			readSync(fd, buffer, 0, entry.length, entry.offset);
		} finally {
			closeSync(fd);
		}
		const stored = parseLine(buffer.toString('utf8'));
		if (!stored) {
			// Changed on disk since we checked it: count its events as dropped instead of replaying garbage.
			this.cursor.dropped += entry.events - (entry === this.entries[this.entryHead] ? this.cursor.skip : 0);
			this.pendingEvents -= entry.events - (entry === this.entries[this.entryHead] ? this.cursor.skip : 0);
			entry.events = 0;
			if (entry === this.entries[this.entryHead]) this.cursor.skip = 0;
			return [];
		}
		const events = stored.map(fromStored);
		// Keep only a few parsed entries around: replay walks forward, memory stays bounded.
		if (this.parsed.size >= 8) this.parsed.delete(this.parsed.keys().next().value!);
		this.parsed.set(entry, events);
		return events;
	}

	private load(): void {
		let cursorSegment: number | undefined;
		let cursorOffset = 0;
		try {
			const raw = JSON.parse(readFileSync(join(this.dir, CURSOR_FILE), 'utf8')) as { segment?: number; offset?: number; skip?: number; dropped?: number };
			cursorSegment = typeof raw.segment === 'number' ? raw.segment : undefined;
			cursorOffset = raw.offset ?? 0;
			this.cursor = { skip: Number(raw.skip) || 0, dropped: Number(raw.dropped) || 0 };
		} catch {
			// No cursor (or a damaged one): replay from the first entry; a duplicate beats a loss.
		}
		const segments = readdirSync(this.dir)
			.map((name) => SEGMENT.exec(name))
			.filter((match): match is RegExpExecArray => match !== null)
			.map((match) => Number(match[1]))
			.sort((a, b) => a - b);
		for (const segment of segments) {
			const path = this.segmentPath(segment);
			const buffer = readFileSync(path);
			let offset = 0;
			let validEnd = 0;
			while (offset < buffer.length) {
				const newline = buffer.indexOf(0x0a, offset);
				const end = newline === -1 ? buffer.length : newline + 1;
				const events = newline === -1 ? undefined : parseLine(buffer.toString('utf8', offset, end));
				if (events) {
					validEnd = end;
					const consumed = cursorSegment !== undefined && (segment < cursorSegment || (segment === cursorSegment && offset < cursorOffset));
					const lastSeq = events.reduce((max, event) => Math.max(max, event.seq), 0);
					this.highestSeq = Math.max(this.highestSeq, lastSeq);
					if (!consumed) this.entries.push({ segment, offset, length: end - offset, events: events.length, lastSeq });
				} else if (newline !== -1) {
					// A corrupt line in the middle (disk damage, not a crash): skip it, keep what follows.
					validEnd = end;
				}
				offset = end;
			}
			if (validEnd < buffer.length) truncateSync(path, validEnd); // torn last line from a crash mid-append
			this.segmentSizes.set(segment, validEnd);
			this.totalBytes += validEnd;
		}
		const head = this.entries[0];
		if (!head || cursorSegment === undefined || head.segment !== cursorSegment || head.offset !== cursorOffset) this.cursor.skip = 0;
		if (head) this.cursor.skip = Math.min(this.cursor.skip, head.events - 1);
		this.pendingEvents = this.entries.reduce((sum, entry) => sum + entry.events, 0) - this.cursor.skip;
		this.compact();
	}

	/** Deletes segments before the head entry; when nothing is pending, deletes every segment. */
	private compact(): void {
		const head = this.entries[this.entryHead];
		for (const segment of [...this.segmentSizes.keys()]) {
			if ((head === undefined || segment < head.segment) && !this.unsynced.some((item) => item.segment === segment)) this.removeSegment(segment);
		}
		if (this.entryHead > 0 && (head === undefined || this.entryHead >= 256)) {
			this.entries.splice(0, this.entryHead);
			this.entryHead = 0;
		}
	}

	/** The oldest segment may go unless a batch is still being written to it. */
	private canDropOldest(): boolean {
		const oldest = [...this.segmentSizes.keys()].sort((a, b) => a - b)[0];
		return oldest !== undefined && !this.unsynced.some((item) => item.segment === oldest);
	}

	private dropOldestSegment(): void {
		const oldest = [...this.segmentSizes.keys()].sort((a, b) => a - b)[0];
		if (oldest === undefined) return;
		let dropped = 0;
		while (this.entryHead < this.entries.length && this.entries[this.entryHead]!.segment === oldest) {
			const entry = this.entries[this.entryHead]!;
			dropped += entry.events - this.cursor.skip;
			this.cursor.skip = 0;
			this.parsed.delete(entry);
			this.entryHead++;
		}
		this.pendingEvents -= dropped;
		this.cursor.dropped += dropped;
		this.removeSegment(oldest);
		this.compact();
		this.saveCursor();
	}

	private removeSegment(segment: number): void {
		this.totalBytes -= this.segmentSizes.get(segment) ?? 0;
		this.segmentSizes.delete(segment);
		rmSync(this.segmentPath(segment), { force: true });
	}

	private lastSegment(): number | undefined {
		let last: number | undefined;
		for (const segment of this.segmentSizes.keys()) if (last === undefined || segment > last) last = segment;
		return last;
	}

	private saveCursor(): void {
		const path = join(this.dir, CURSOR_FILE);
		const head = this.entries[this.entryHead];
		if (!head && this.cursor.dropped === 0) {
			rmSync(path, { force: true });
			return;
		}
		const data = JSON.stringify({ segment: head?.segment, offset: head?.offset ?? 0, skip: this.cursor.skip, dropped: this.cursor.dropped });
		writeFileSync(`${path}.tmp`, data);
		renameSync(`${path}.tmp`, path);
	}

	private segmentPath(segment: number): string {
		return join(this.dir, `segment-${String(segment).padStart(12, '0')}.jsonl`);
	}
}

/** Batches grouped by segment, in file order. */
function bySegment(items: readonly Unsynced[]): Map<number, Unsynced[]> {
	const groups = new Map<number, Unsynced[]>();
	for (const item of items) {
		const list = groups.get(item.segment);
		if (list) list.push(item);
		else groups.set(item.segment, [item]);
	}
	return groups;
}

interface StoredEvent extends Omit<PlainEvent, 'files'> {
	files?: { name: string; base64: string }[];
}

function toStored(event: PlainEvent): StoredEvent {
	const { files, ...rest } = event;
	return files?.length ? { ...rest, files: files.map((file) => ({ name: file.name, base64: file.data.toString('base64') })) } : rest;
}

function fromStored(stored: StoredEvent): PlainEvent {
	const { files, ...rest } = stored;
	return files?.length ? { ...rest, files: files.map((file) => ({ name: file.name, data: Buffer.from(file.base64, 'base64') })) } : rest;
}

/** `<bytes> <json>\n` -> the stored events, or undefined when torn or corrupt. */
function parseLine(line: string): StoredEvent[] | undefined {
	const space = line.indexOf(' ');
	if (space <= 0 || !line.endsWith('\n')) return undefined;
	const json = line.slice(space + 1, -1);
	if (Number(line.slice(0, space)) !== Buffer.byteLength(json)) return undefined;
	try {
		const parsed = JSON.parse(json) as unknown;
		return Array.isArray(parsed) ? (parsed as StoredEvent[]) : undefined;
	} catch {
		return undefined;
	}
}

/** Bytes a directory of spool files takes (for tests and diagnostics). */
export function spoolDirBytes(dir: string): number {
	try {
		return readdirSync(dir)
			.filter((name) => SEGMENT.test(name))
			.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
	} catch {
		return 0;
	}
}
