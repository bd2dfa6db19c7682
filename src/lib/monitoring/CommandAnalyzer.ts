import type { CommandWindow } from './CommandTracker.js';
import { percentileOfSorted } from './percentile.js';

export interface CommandFigures {
	runs: number;
	failures: number;
	/** 0..100; 100 when there were no runs. */
	successRate: number;
	avgMs: number;
	p95Ms: number;
	maxMs: number;
}

export interface CommandAnalysis {
	from: number;
	to: number;
	totals: CommandFigures;
	commands: (CommandFigures & { command: string; category: string; errorTypes: Record<string, number>; userMistakes?: Record<string, number> })[];
	categories: (CommandFigures & { category: string; commands: number })[];
	/** By p95, slowest first. */
	slowest: { command: string; p95Ms: number; avgMs: number; runs: number }[];
	/** Error types over all commands in the window, most frequent first. */
	errorTypes: { type: string; count: number; commands: string[]; lastMessage: string }[];
	recentErrors: CommandWindow['recentErrors'];
	/** User mistakes (answered, not failures) by identifier over all commands, most frequent first. */
	userMistakes: { identifier: string; count: number; commands: string[] }[];
}

export interface CommandAnalyzerOptions {
	/** How many entries the slowest list keeps. */
	slowest?: number;
}

/** Pure summary of a command window: per command, per category, overall, slowest, error types. */
export class CommandAnalyzer {
	private readonly slowestCount: number;

	public constructor(options: CommandAnalyzerOptions = {}) {
		this.slowestCount = options.slowest ?? 5;
	}

	public analyze(window: CommandWindow): CommandAnalysis {
		const commands = window.commands
			.map((entry) => ({
				command: entry.command,
				category: entry.category,
				...figures(entry.runs, entry.failures, entry.totalMs, entry.maxMs, entry.durations),
				errorTypes: Object.fromEntries(Object.entries(entry.errorTypes).map(([type, value]) => [type, value.count])),
				userMistakes: { ...(entry.userMistakes ?? {}) }
			}))
			.sort((a, b) => b.runs - a.runs || a.command.localeCompare(b.command));

		const byCategory = new Map<string, typeof window.commands>();
		for (const entry of window.commands) {
			const list = byCategory.get(entry.category) ?? [];
			list.push(entry);
			byCategory.set(entry.category, list);
		}
		const categories = [...byCategory].map(([category, entries]) => ({ category, commands: entries.length, ...merged(entries) })).sort((a, b) => b.runs - a.runs || a.category.localeCompare(b.category));

		const errorTypes = new Map<string, { type: string; count: number; commands: string[]; lastMessage: string }>();
		for (const entry of window.commands) {
			for (const [type, value] of Object.entries(entry.errorTypes)) {
				const seen = errorTypes.get(type) ?? { type, count: 0, commands: [], lastMessage: value.lastMessage };
				seen.count += value.count;
				seen.commands.push(entry.command);
				seen.lastMessage = value.lastMessage;
				errorTypes.set(type, seen);
			}
		}

		const userMistakes = new Map<string, { identifier: string; count: number; commands: string[] }>();
		for (const entry of window.commands) {
			for (const [identifier, count] of Object.entries(entry.userMistakes ?? {})) {
				const seen = userMistakes.get(identifier) ?? { identifier, count: 0, commands: [] };
				seen.count += count;
				seen.commands.push(entry.command);
				userMistakes.set(identifier, seen);
			}
		}

		return {
			from: window.from,
			to: window.to,
			totals: merged(window.commands),
			commands,
			categories,
			slowest: commands
				.filter((entry) => entry.runs > 0)
				.sort((a, b) => b.p95Ms - a.p95Ms)
				.slice(0, this.slowestCount)
				.map(({ command, p95Ms, avgMs, runs }) => ({ command, p95Ms, avgMs, runs })),
			errorTypes: [...errorTypes.values()].sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
			recentErrors: window.recentErrors,
			userMistakes: [...userMistakes.values()].sort((a, b) => b.count - a.count || a.identifier.localeCompare(b.identifier))
		};
	}
}

function figures(runs: number, failures: number, totalMs: number, maxMs: number, durations: Float64Array): CommandFigures {
	const sorted = Float64Array.from(durations).sort();
	return {
		runs,
		failures,
		successRate: runs > 0 ? ((runs - failures) / runs) * 100 : 100,
		avgMs: runs > 0 ? totalMs / runs : 0,
		p95Ms: sorted.length > 0 ? percentileOfSorted(sorted, 95) : 0,
		maxMs
	};
}

function merged(entries: CommandWindow['commands']): CommandFigures {
	let runs = 0;
	let failures = 0;
	let totalMs = 0;
	let maxMs = 0;
	let length = 0;
	for (const entry of entries) {
		runs += entry.runs;
		failures += entry.failures;
		totalMs += entry.totalMs;
		maxMs = Math.max(maxMs, entry.maxMs);
		length += entry.durations.length;
	}
	const durations = new Float64Array(length);
	let offset = 0;
	for (const entry of entries) {
		durations.set(entry.durations, offset);
		offset += entry.durations.length;
	}
	return figures(runs, failures, totalMs, maxMs, durations);
}
