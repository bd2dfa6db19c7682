import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deltaRowCount, type StatsDeltas } from './statsTypes.js';

const FORMAT = 1;
const KINDS = ['messages', 'reactions', 'voice', 'membership', 'commands', 'botGuilds'] as const;
type DeltaKind = (typeof KINDS)[number];

/** One batch of counters that could not be written to the store, as read back from disk. */
export interface RecoveryBatch {
	/** Unique per batch: the store records it when the batch is applied, so a batch is applied once. */
	id: string;
	/** When it was written (epoch ms). */
	at: number;
	deltas: StatsDeltas;
	file: string;
}

export interface RecoveryJournalOptions {
	/** Directory of this process's batches (one per shard process, like the report spool). */
	dir: string;
	now?: () => number;
}

/**
 * Counters the statistics store could not take (database down at a flush, or at shutdown) kept on
 * local disk until it can. Each batch is one JSON-lines file: a header, one line per delta row, and
 * an end line with the row count, so a torn file is recognised. A batch is written to a temp name,
 * fsync'd, renamed into place and the directory fsync'd: after `write` returns it survives a crash
 * or power loss. Batches are replayed oldest first; the store applies each under its id in the same
 * transaction as the rows (`applyDeltas(..., { once })`), so a crash between commit and delete never
 * counts a batch twice.
 */
export class RecoveryJournal {
	private readonly dir: string;
	private readonly now: () => number;
	private seq = 0;
	/** The directory was found empty and nothing was written since: spares a readdir per flush. */
	private knownEmpty = false;

	public constructor(options: RecoveryJournalOptions) {
		this.dir = options.dir;
		this.now = options.now ?? Date.now;
	}

	/** Writes the deltas durably (synchronous: it runs at shutdown, when nothing else may run after). Returns the batch id, or null when there was nothing to write. */
	public write(deltas: StatsDeltas): string | null {
		const rows = deltaRowCount(deltas);
		if (rows === 0) return null;
		mkdirSync(this.dir, { recursive: true });
		const at = this.now();
		const id = randomUUID();
		// Sortable names: replay order = write order, also across restarts of the same process slot.
		const name = `${String(at).padStart(15, '0')}-${String(this.seq++).padStart(6, '0')}-${id}.jsonl`;
		const lines = [JSON.stringify({ format: FORMAT, id, at, rows })];
		for (const kind of KINDS) for (const row of deltas[kind]) lines.push(JSON.stringify({ kind, row }));
		lines.push(JSON.stringify({ end: true, rows }));
		const tmp = join(this.dir, `${name}.tmp`);
		const fd = openSync(tmp, 'w', 0o600);
		try {
			writeSync(fd, `${lines.join('\n')}\n`);
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		renameSync(tmp, join(this.dir, name));
		this.syncDir();
		this.knownEmpty = false;
		return id;
	}

	/** Batch files waiting to be applied, oldest first. */
	public pendingFiles(): string[] {
		let names: string[];
		try {
			names = readdirSync(this.dir);
		} catch {
			return [];
		}
		return names
			.filter((name) => name.endsWith('.jsonl'))
			.sort()
			.map((name) => join(this.dir, name));
	}

	/** Whether batches wait (asked on every flush; the directory is this process's own, so once found empty it stays empty until `write`). */
	public get hasPending(): boolean {
		if (this.knownEmpty) return false;
		const pending = this.pendingFiles().length > 0;
		this.knownEmpty = !pending;
		return pending;
	}

	/**
	 * Reads one batch. A file that does not parse or misses its end line (written by something else,
	 * or damaged on disk) is renamed `.corrupt` and reported by throwing: it is never half applied.
	 */
	public read(file: string): RecoveryBatch {
		try {
			const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
			const header = JSON.parse(lines[0] ?? '') as { format?: number; id?: string; at?: number; rows?: number };
			const end = JSON.parse(lines.at(-1) ?? '') as { end?: boolean; rows?: number };
			if (header.format !== FORMAT || typeof header.id !== 'string' || end.end !== true || end.rows !== header.rows || lines.length !== (header.rows ?? -1) + 2) {
				throw new Error('incomplete or unknown format');
			}
			const deltas: StatsDeltas = { messages: [], reactions: [], voice: [], membership: [], commands: [], botGuilds: [] };
			for (const line of lines.slice(1, -1)) {
				const { kind, row } = JSON.parse(line) as { kind: DeltaKind; row: never };
				if (!KINDS.includes(kind)) throw new Error(`unknown row kind ${String(kind)}`);
				(deltas[kind] as unknown[]).push(row);
			}
			return { id: header.id, at: header.at ?? 0, deltas, file };
		} catch (error) {
			renameSync(file, `${file}.corrupt`);
			throw new Error(`statistics recovery file ${file} is unreadable (${(error as Error).message}); kept as ${file}.corrupt`);
		}
	}

	/** The batch is in the store: forget it. */
	public remove(batch: RecoveryBatch): void {
		rmSync(batch.file, { force: true });
		this.syncDir();
	}

	private syncDir(): void {
		try {
			const fd = openSync(this.dir, 'r');
			try {
				fsyncSync(fd);
			} finally {
				closeSync(fd);
			}
		} catch {
			// Some filesystems cannot fsync a directory; the file itself is synced.
		}
	}
}
