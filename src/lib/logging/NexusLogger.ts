import { LogLevel, type ILogger } from '@sapphire/framework';
import pino from 'pino';
import { inspect } from 'node:util';

const PINO_LEVELS = { [LogLevel.Trace]: 'trace', [LogLevel.Debug]: 'debug', [LogLevel.Info]: 'info', [LogLevel.Warn]: 'warn', [LogLevel.Error]: 'error', [LogLevel.Fatal]: 'fatal' } as const;

export interface NexusLoggerOptions {
	level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
	/** Values masked in every line (token, API token, DB password). */
	redact: (text: string) => string;
	/** Where JSON lines go; stdout by default (pm2 collects it). */
	destination?: pino.DestinationStream;
}

/**
 * Sapphire's ILogger on top of pino: JSON lines for pm2/log shippers, levels that match Sapphire's
 * numerically (10..60), and redaction of secrets before anything is written. Extra sinks (the
 * Discord reporter) subscribe with `addSink`, so logging never depends on Discord being up.
 */
export class NexusLogger implements ILogger {
	private readonly pino: pino.Logger;
	private readonly redact: (text: string) => string;
	private readonly sinks = new Set<(level: LogLevel, message: string, error?: Error) => void>();
	private readonly minimum: LogLevel;

	public constructor(options: NexusLoggerOptions) {
		this.redact = options.redact;
		this.pino = pino({ level: options.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, options.destination ?? pino.destination({ sync: false }));
		this.minimum = (Object.entries(PINO_LEVELS).find(([, name]) => name === options.level)?.[0] ?? LogLevel.Info) as unknown as LogLevel;
	}

	/** A sink sees every line at or above the logger's level; it must not throw or block. */
	public addSink(sink: (level: LogLevel, message: string, error?: Error) => void): () => void {
		this.sinks.add(sink);
		return () => this.sinks.delete(sink);
	}

	public has(level: LogLevel): boolean {
		return level >= Number(this.minimum);
	}

	public trace(...values: readonly unknown[]): void {
		this.write(LogLevel.Trace, ...values);
	}
	public debug(...values: readonly unknown[]): void {
		this.write(LogLevel.Debug, ...values);
	}
	public info(...values: readonly unknown[]): void {
		this.write(LogLevel.Info, ...values);
	}
	public warn(...values: readonly unknown[]): void {
		this.write(LogLevel.Warn, ...values);
	}
	public error(...values: readonly unknown[]): void {
		this.write(LogLevel.Error, ...values);
	}
	public fatal(...values: readonly unknown[]): void {
		this.write(LogLevel.Fatal, ...values);
	}

	public write(level: LogLevel, ...values: readonly unknown[]): void {
		if (!this.has(level) || level === LogLevel.None) return;
		const error = values.find((value): value is Error => value instanceof Error);
		const message = this.redact(values.map((value) => (typeof value === 'string' ? value : value instanceof Error ? (value.stack ?? value.message) : inspect(value, { depth: 3, breakLength: Infinity }))).join(' '));
		const name = PINO_LEVELS[level as keyof typeof PINO_LEVELS] ?? 'info';
		this.pino[name](message);
		for (const sink of this.sinks) {
			try {
				sink(level, message, error);
			} catch {
				// A broken sink must never break logging.
			}
		}
	}

	/** Flush buffered lines (async destination) before exit. */
	public flush(): void {
		try {
			this.pino.flush();
		} catch {
			// Destination already closed.
		}
	}
}
