import type { ReportChannelName } from '#root/config.js';
import type { ReportEventInput } from './ReportEvent.js';
import { errorFingerprint, type ErrorFolder, type FoldedError } from './ErrorFolder.js';
import { REPORTER_LOG_PREFIX } from './Reporter.js';

/** pino's numeric levels (Sapphire's LogLevel uses the same numbers). */
const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const PINO_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err', 'v']);

export interface ReporterLogStreamOptions {
	reporter: { enqueue(channel: ReportChannelName, input: ReportEventInput): void };
	/** Lowest level forwarded to Discord (default 30 = info). */
	minLevel?: number;
	/**
	 * Error lines that are a dependency's connection failure (see dependencyOfLogLine) go to that
	 * dependency's incident instead of Diagnostics: return its key, and `incident` receives it.
	 */
	dependencyOf?: (message: string, error: unknown) => string | undefined;
	incident?: (dependency: string, error: unknown) => void;
	/** Identical error lines fold into counts (ErrorFolder); without it every line is posted. */
	folder?: ErrorFolder;
	/** Called for every real error line (not incidents, not below error): the error-rate feed. */
	onError?: (message: string) => void;
}

/**
 * Feeds log lines to the reporter: error/fatal become CRITICAL events on Diagnostics (sent at
 * once), warn/info go batched to Logs. Usable two ways:
 * - as a pino destination (`write(line)`), e.g. in `pino.multistream([stdout, { stream }])`;
 * - as a NexusLogger sink: `logger.addSink(stream.sink)`.
 *
 * Never blocks (enqueue is O(1)) and never throws into the logger. Loops are cut twice: lines the
 * reporter itself wrote (prefixed REPORTER_LOG_PREFIX) are skipped, and a line logged while this
 * stream is already forwarding (a synchronous re-entry) is dropped.
 */
export class ReporterLogStream {
	private readonly reporter: ReporterLogStreamOptions['reporter'];
	private readonly minLevel: number;
	private readonly options: ReporterLogStreamOptions;
	private forwarding = false;
	/** Lines skipped because of the recursion guards (for diagnostics and tests). */
	public skipped = 0;

	public constructor(options: ReporterLogStreamOptions) {
		this.reporter = options.reporter;
		this.minLevel = options.minLevel ?? 30;
		this.options = options;
	}

	/** The ErrorFolder's emit: one Diagnostics post for every repeat of an error inside a window. */
	public readonly folded = (folded: FoldedError): void => {
		const message = folded.last.message;
		const data: Record<string, unknown> = {
			count: folded.count,
			windowMs: folded.windowMs,
			firstAt: new Date(folded.firstAt).toISOString(),
			lastAt: new Date(folded.lastAt).toISOString(),
			fingerprint: folded.fingerprint,
			message
		};
		if (folded.last.error !== undefined && folded.last.error !== null) data.error = folded.last.error;
		this.reporter.enqueue('diagnostics', {
			event: 'log.error_repeated',
			severity: 'CRITICAL',
			// The count is in the title; the last occurrence's full detail (stack, context) in the JSON file.
			attachJson: true,
			title: `Error ×${folded.count} more in ${windowText(folded.windowMs)} (first ${clock(folded.firstAt)}, last ${clock(folded.lastAt)}): ${firstLine(message) || errorMessage(folded.last.error) || 'no message'}`,
			data
		});
	};

	/** pino destination: one JSON line per call. */
	public write(line: string): boolean {
		try {
			const record = JSON.parse(line) as Record<string, unknown>;
			const level = Number(record.level);
			if (!(level >= this.minLevel)) return true;
			const extra: Record<string, unknown> = {};
			for (const [key, value] of Object.entries(record)) if (!PINO_FIELDS.has(key)) extra[key] = value;
			const time = typeof record.time === 'number' || typeof record.time === 'string' ? record.time : undefined;
			this.forward(level, typeof record.msg === 'string' ? record.msg : '', record.err, extra, time);
		} catch {
			// Not JSON (or a broken line): nothing to forward, and the logger must not notice.
		}
		return true;
	}

	/** NexusLogger sink: `logger.addSink(stream.sink)`. */
	public readonly sink = (level: number, message: string, error?: Error): void => {
		if (level < this.minLevel) return;
		this.forward(Number(level), message, error, {}, undefined);
	};

	private forward(level: number, message: string, error: unknown, extra: Record<string, unknown>, time: number | string | undefined): void {
		if (this.forwarding || message.includes(REPORTER_LOG_PREFIX)) {
			this.skipped++;
			return;
		}
		this.forwarding = true;
		try {
			const name = LEVEL_NAMES[level] ?? (level >= 50 ? 'error' : level >= 40 ? 'warn' : 'info');
			const data: Record<string, unknown> = { message, ...extra };
			if (error !== undefined && error !== null) data.error = error;
			const input: ReportEventInput = { event: `log.${name}`, data, timestamp: time };
			if (level >= 50) {
				const dependency = this.options.dependencyOf?.(message, error);
				if (dependency !== undefined && this.options.incident) {
					// One incident per outage, not one post per retry (the line stays on stdout).
					this.options.incident(dependency, error);
					return;
				}
				this.options.onError?.(message);
				const folder = this.options.folder;
				if (folder && !folder.offer(errorFingerprint(message, error instanceof Error ? error.stack : undefined), { message, error })) return;
				input.severity = 'CRITICAL';
				input.title = `${name === 'fatal' ? 'Fatal' : 'Error'}: ${firstLine(message) || errorMessage(error) || 'no message'}`;
				this.reporter.enqueue('diagnostics', input);
			} else {
				input.severity = level >= 40 ? 'WARNING' : 'INFO';
				this.reporter.enqueue('logs', input);
			}
		} catch {
			// enqueue never throws; this only guards a broken reporter stand-in.
		} finally {
			this.forwarding = false;
		}
	}
}

function firstLine(text: string): string {
	const line = text.split('\n', 1)[0]!.trim();
	return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function errorMessage(error: unknown): string {
	if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return firstLine((error as { message: string }).message);
	return '';
}

function clock(ms: number): string {
	return new Date(ms).toISOString().slice(11, 19);
}

function windowText(ms: number): string {
	return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
