import type { Service } from '#lib/ServiceRegistry.js';

/**
 * What makes two errors "the same": the first line of the message with its variable parts
 * (numbers, ids, hex, quoted values, URLs' queries) blanked, plus the top stack frame without its
 * column. Pure, so it can be tested and shared.
 */
export function errorFingerprint(message: string, stack?: string): string {
	const firstLine = message.split('\n', 1)[0]!.trim();
	return `${normaliseMessage(firstLine)} @ ${topFrame(stack ?? message) ?? '?'}`;
}

export function normaliseMessage(text: string): string {
	return text
		.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
		.replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '<str>')
		.replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
		.replace(/\b[0-9a-f]{12,}\b/gi, '<hex>')
		.replace(/\d+(\.\d+)?/g, '#')
		.replace(/\s+/g, ' ')
		.slice(0, 300);
}

/** "at fn (file:line)" of the first stack frame, column dropped (a minified bundle still differs by line). */
export function topFrame(stack: string): string | undefined {
	const line = stack.split('\n').find((entry) => /^\s+at /.test(entry));
	return line?.trim().replace(/:(\d+):\d+(\)?)$/, ':$1$2');
}

export interface FoldedError {
	fingerprint: string;
	/** Occurrences folded into this summary (the first one was sent on its own). */
	count: number;
	windowMs: number;
	firstAt: number;
	lastAt: number;
	/** The latest occurrence's detail, for the JSON attachment. */
	last: { message: string; error?: unknown };
}

export interface ErrorFolderOptions {
	/** ERROR_FOLD_WINDOW_MS: repeats inside this window become one count. */
	windowMs: number;
	/** Receives one summary per fingerprint and window that had repeats. */
	emit: (folded: FoldedError) => void;
	now?: () => number;
	/** How often due windows are closed. Default min(windowMs, 1 s). */
	tickMs?: number;
	/** Distinct fingerprints tracked at once; beyond it errors pass unfolded (bounded memory). */
	maxFingerprints?: number;
}

interface Entry {
	windowStart: number;
	/** Repeats in the current window, not sent yet. */
	count: number;
	firstAt: number;
	lastAt: number;
	last: { message: string; error?: unknown };
}

/**
 * Folds identical errors. The first occurrence of a fingerprint passes (`offer` returns true) and
 * opens a window; repeats inside it are counted (`offer` returns false). When the window closes,
 * a non-zero count is emitted once ("×37 in 10 min, first … last …") and the next window starts
 * already folding, so a steady error costs one message per window; a window without repeats
 * forgets the fingerprint, and its next occurrence passes again.
 */
export class ErrorFolder implements Service {
	public readonly name = 'error-folder';
	private readonly windowMs: number;
	private readonly emit: ErrorFolderOptions['emit'];
	private readonly now: () => number;
	private readonly tickMs: number;
	private readonly maxFingerprints: number;
	private readonly entries = new Map<string, Entry>();
	private timer?: NodeJS.Timeout;
	private started = false;
	/** Errors folded into counts since start (for tests and status). */
	public folded = 0;

	public constructor(options: ErrorFolderOptions) {
		this.windowMs = options.windowMs;
		this.emit = options.emit;
		this.now = options.now ?? Date.now;
		this.tickMs = options.tickMs ?? Math.min(options.windowMs, 1000);
		this.maxFingerprints = options.maxFingerprints ?? 1000;
	}

	/** True: send this occurrence now. False: it was counted into the fingerprint's next summary. */
	public offer(fingerprint: string, detail: { message: string; error?: unknown }): boolean {
		if (this.windowMs <= 0) return true;
		const now = this.now();
		this.closeDue(now);
		const entry = this.entries.get(fingerprint);
		if (!entry) {
			if (this.entries.size >= this.maxFingerprints) return true;
			this.entries.set(fingerprint, { windowStart: now, count: 0, firstAt: now, lastAt: now, last: detail });
			this.arm();
			return true;
		}
		if (entry.count === 0) entry.firstAt = now;
		entry.count++;
		entry.lastAt = now;
		entry.last = detail;
		this.folded++;
		return false;
	}

	/** Closes every window that has ended (called by the timer; public for tests). */
	public closeDue(now = this.now()): void {
		for (const [fingerprint, entry] of this.entries) {
			if (now - entry.windowStart < this.windowMs) continue;
			if (entry.count === 0) {
				this.entries.delete(fingerprint);
				continue;
			}
			this.send(fingerprint, entry);
			entry.windowStart = now;
			entry.count = 0;
		}
		if (this.entries.size === 0) this.disarm();
	}

	public start(): void {
		this.started = true;
		if (this.entries.size > 0) this.arm();
	}

	/** The timer runs only while some fingerprint has an open window: an error-free bot is not woken every second. */
	private arm(): void {
		if (!this.started || this.timer || this.windowMs <= 0) return;
		this.timer = setInterval(() => this.closeDue(), this.tickMs);
		this.timer.unref();
	}

	private disarm(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}

	/** Emits every pending count, so a shutdown loses none (the reporter stops after us and sends or spools them). */
	public stop(): void {
		this.started = false;
		this.disarm();
		for (const [fingerprint, entry] of this.entries) if (entry.count > 0) this.send(fingerprint, entry);
		this.entries.clear();
	}

	private send(fingerprint: string, entry: Entry): void {
		try {
			this.emit({ fingerprint, count: entry.count, windowMs: this.windowMs, firstAt: entry.firstAt, lastAt: entry.lastAt, last: entry.last });
		} catch {
			// A broken sink must not stop folding.
		}
	}
}
