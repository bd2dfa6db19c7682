import { describeError } from '#lib/commands/CommandOutcomes.js';
import { RingBuffer } from './RingBuffer.js';

export interface CommandStart {
	/** Interaction id: joins begin() to finish(). */
	id: string;
	command: string;
	category?: string | null;
	guildId?: string | null;
	channelId?: string | null;
	userId?: string | null;
}

export interface CommandExecution {
	id: string | null;
	command: string;
	category: string;
	startedAt: number;
	durationMs: number;
	success: boolean;
	errorType: string | null;
	errorMessage: string | null;
	/** The identifier of the user's mistake (bad option, denied precondition): answered, not a failure. */
	userMistake: string | null;
	/** Ids only, never names or content; kept in the bounded recent list, never used as metric labels. */
	guildId: string | null;
	channelId: string | null;
	userId: string | null;
}

export interface CommandOutcome {
	success: boolean;
	/** The thrown value, or an already described `{ type, message }`. */
	error?: unknown;
	/** Use the framework's measured duration when it has one. */
	durationMs?: number;
	/** Identifier of the user's mistake, when the command answered one (counts as success). */
	userMistake?: string;
}

/** One command's figures for the current analysis window. */
export interface CommandWindowEntry {
	command: string;
	category: string;
	runs: number;
	failures: number;
	totalMs: number;
	maxMs: number;
	/** Durations of the most recent runs in the window (at most `durationsPerCommand`). */
	durations: Float64Array;
	errorTypes: Record<string, { count: number; lastMessage: string }>;
	/** User mistakes by identifier (not failures). */
	userMistakes: Record<string, number>;
}

export interface CommandWindow {
	from: number;
	to: number;
	commands: CommandWindowEntry[];
	recentErrors: { at: number; command: string; type: string; message: string }[];
}

export interface CommandTrackerOptions {
	now?: () => number;
	/** Distinct command names tracked; beyond that they count as "other" (bounded memory and labels). */
	maxCommands?: number;
	durationsPerCommand?: number;
	maxErrorTypesPerCommand?: number;
	recentCapacity?: number;
	maxInFlight?: number;
	/** Called once per finished command (e.g. metrics.recordCommand). */
	onExecution?: (execution: CommandExecution) => void;
}

class WindowEntry {
	public runs = 0;
	public failures = 0;
	public totalMs = 0;
	public maxMs = 0;
	public readonly durations: Float64Array;
	public durationCount = 0;
	public readonly errorTypes = new Map<string, { count: number; lastMessage: string }>();
	public readonly userMistakes = new Map<string, number>();

	public constructor(
		public readonly command: string,
		public category: string,
		capacity: number
	) {
		this.durations = new Float64Array(capacity);
	}

	public reset(): void {
		this.runs = 0;
		this.failures = 0;
		this.totalMs = 0;
		this.maxMs = 0;
		this.durationCount = 0;
		this.errorTypes.clear();
		this.userMistakes.clear();
	}
}

/**
 * Tracks every slash command: start, duration, outcome with error type and message, and the ids
 * of where and by whom. Holds a per-command window (reset by `takeWindow()` for each analyzer
 * report), lifetime totals, the in-flight set and a recent list, all with hard size limits.
 */
export class CommandTracker {
	private readonly now: () => number;
	private readonly maxCommands: number;
	private readonly durationsPerCommand: number;
	private readonly maxErrorTypes: number;
	private readonly maxInFlight: number;
	private readonly onExecution: ((execution: CommandExecution) => void) | undefined;
	private readonly entries = new Map<string, WindowEntry>();
	private readonly lifetime = new Map<string, { runs: number; failures: number }>();
	private readonly running = new Map<string, { start: CommandStart; at: number }>();
	private readonly recent: RingBuffer<CommandExecution>;
	private readonly recentErrors: RingBuffer<{ at: number; command: string; type: string; message: string }>;
	private windowStart: number;
	private served = 0;

	public constructor(options: CommandTrackerOptions = {}) {
		this.now = options.now ?? Date.now;
		this.maxCommands = options.maxCommands ?? 100;
		this.durationsPerCommand = options.durationsPerCommand ?? 256;
		this.maxErrorTypes = options.maxErrorTypesPerCommand ?? 10;
		this.maxInFlight = options.maxInFlight ?? 1000;
		this.onExecution = options.onExecution;
		this.recent = new RingBuffer(options.recentCapacity ?? 200);
		this.recentErrors = new RingBuffer(20);
		this.windowStart = this.now();
	}

	/** A command started (Sapphire's chatInputCommandRun). */
	public begin(start: CommandStart): void {
		if (this.running.size >= this.maxInFlight) this.running.delete(this.running.keys().next().value!);
		this.running.set(start.id, { start, at: this.now() });
	}

	/** The command with this interaction id finished; returns the recorded execution (undefined if never begun). */
	public finish(id: string, outcome: CommandOutcome): CommandExecution | undefined {
		const running = this.running.get(id);
		if (!running) return undefined;
		this.running.delete(id);
		const durationMs = outcome.durationMs ?? this.now() - running.at;
		return this.record({ ...running.start, startedAt: running.at, durationMs, success: outcome.success, error: outcome.error, userMistake: outcome.userMistake });
	}

	/** Records a finished command directly, when the caller already knows everything. */
	public record(input: CommandStart & { id?: string; startedAt?: number; durationMs: number; success: boolean; error?: unknown; userMistake?: string }): CommandExecution {
		const failure = input.success ? undefined : describe(input.error);
		const userMistake = input.success && input.userMistake ? input.userMistake : null;
		const command = this.commandKey(input.command);
		const execution: CommandExecution = {
			id: input.id ?? null,
			command,
			category: input.category || 'uncategorized',
			startedAt: input.startedAt ?? this.now() - input.durationMs,
			durationMs: Math.max(0, input.durationMs),
			success: input.success,
			errorType: failure?.type ?? null,
			errorMessage: failure?.message ?? null,
			userMistake,
			guildId: input.guildId ?? null,
			channelId: input.channelId ?? null,
			userId: input.userId ?? null
		};
		if (input.id) this.running.delete(input.id);

		let entry = this.entries.get(command);
		if (!entry) this.entries.set(command, (entry = new WindowEntry(command, execution.category, this.durationsPerCommand)));
		entry.category = execution.category;
		entry.runs++;
		entry.totalMs += execution.durationMs;
		if (execution.durationMs > entry.maxMs) entry.maxMs = execution.durationMs;
		entry.durations[entry.durationCount % this.durationsPerCommand] = execution.durationMs;
		entry.durationCount++;

		let totals = this.lifetime.get(command);
		if (!totals) this.lifetime.set(command, (totals = { runs: 0, failures: 0 }));
		totals.runs++;
		this.served++;

		if (failure) {
			entry.failures++;
			totals.failures++;
			const type = entry.errorTypes.has(failure.type) || entry.errorTypes.size < this.maxErrorTypes ? failure.type : 'other';
			const seen = entry.errorTypes.get(type);
			if (seen) {
				seen.count++;
				seen.lastMessage = failure.message;
			} else entry.errorTypes.set(type, { count: 1, lastMessage: failure.message });
			this.recentErrors.push({ at: execution.startedAt + execution.durationMs, command, type: failure.type, message: failure.message });
		}
		if (userMistake) {
			const key = entry.userMistakes.has(userMistake) || entry.userMistakes.size < this.maxErrorTypes ? userMistake : 'other';
			entry.userMistakes.set(key, (entry.userMistakes.get(key) ?? 0) + 1);
		}
		this.recent.push(execution);
		this.onExecution?.(execution);
		return execution;
	}

	/** Commands finished since start (the `commandsServed` the Discord sampler reports). */
	public get commandsServed(): number {
		return this.served;
	}

	public inFlight(): { count: number; oldestMs: number } {
		const now = this.now();
		let oldest = 0;
		for (const { at } of this.running.values()) oldest = Math.max(oldest, now - at);
		return { count: this.running.size, oldestMs: oldest };
	}

	public recentExecutions(): CommandExecution[] {
		return this.recent.toArray();
	}

	public totals(): Record<string, { runs: number; failures: number }> {
		return Object.fromEntries([...this.lifetime].map(([command, totals]) => [command, { ...totals }]));
	}

	/** The current window without resetting it. */
	public peekWindow(): CommandWindow {
		return this.buildWindow();
	}

	/** The current window; starts a new one. */
	public takeWindow(): CommandWindow {
		const window = this.buildWindow();
		for (const [command, entry] of this.entries) {
			// Commands idle for a whole window are dropped, so renamed commands don't linger.
			if (entry.runs === 0) this.entries.delete(command);
			else entry.reset();
		}
		this.recentErrors.clear();
		this.windowStart = window.to;
		return window;
	}

	private buildWindow(): CommandWindow {
		const to = this.now();
		const commands: CommandWindowEntry[] = [];
		for (const entry of this.entries.values()) {
			if (entry.runs === 0) continue;
			const kept = Math.min(entry.durationCount, this.durationsPerCommand);
			commands.push({
				command: entry.command,
				category: entry.category,
				runs: entry.runs,
				failures: entry.failures,
				totalMs: entry.totalMs,
				maxMs: entry.maxMs,
				durations: entry.durations.slice(0, kept),
				errorTypes: Object.fromEntries([...entry.errorTypes].map(([type, value]) => [type, { ...value }])),
				userMistakes: Object.fromEntries(entry.userMistakes)
			});
		}
		return { from: this.windowStart, to, commands, recentErrors: this.recentErrors.toArray() };
	}

	private commandKey(command: string): string {
		if (this.lifetime.has(command) || this.lifetime.size < this.maxCommands) return command;
		return 'other';
	}
}

function describe(error: unknown): { type: string; message: string } {
	if (error && typeof error === 'object' && !(error instanceof Error) && typeof (error as { type?: unknown }).type === 'string') {
		const described = error as { type: string; message?: unknown };
		return { type: described.type, message: String(described.message ?? '').slice(0, 300) };
	}
	if (error === undefined) return { type: 'Unknown', message: '' };
	return describeError(error);
}
