import type { Severity } from '#lib/reporting/ReportEvent.js';
import { DEFAULT_THRESHOLDS, type AlertThresholds, type Threshold } from './AlertThresholds.js';

export type AlertKey = 'memory' | 'cpu' | 'responseTime' | 'networkLatency' | 'disk' | 'eventLoop' | 'errorRate' | 'discordApi';

export interface AlertRule extends Threshold {
	key: AlertKey;
	label: string;
	unit: '%' | 'ms' | '/min' | '';
	/** Recovery needs the value under threshold × (1 − margin); overrides the manager's default. */
	marginRatio?: number;
	/** Where alerts of this rule are reported. */
	channel: 'performance' | 'diagnostics';
}

/** A value to evaluate, optionally with what it is about ("shard 0", "/guildstats"). */
export type AlertReading = number | { value: number; detail?: string };
export type AlertSample = Partial<Record<AlertKey, AlertReading | undefined>>;

export type AlertLevel = Exclude<Severity, 'INFO'>;

export interface AlertEvent {
	key: AlertKey;
	label: string;
	kind: 'fired' | 'escalated' | 'repeated' | 'recovered';
	/** INFO for recoveries. */
	level: Severity;
	channel: 'performance' | 'diagnostics';
	value: number;
	/** The threshold crossed (fired/escalated/repeated) or the recovery line (recovered). */
	threshold: number;
	unit: AlertRule['unit'];
	detail?: string;
	since: number;
	at: number;
	/** How long the condition has lasted. */
	durationMs: number;
	message: string;
}

export interface ActiveAlert {
	key: AlertKey;
	label: string;
	level: AlertLevel;
	since: number;
	lastSentAt: number;
	value: number;
	threshold: number;
	unit: AlertRule['unit'];
	detail?: string;
}

export interface AlertManagerOptions {
	thresholds?: AlertThresholds;
	/** Minimum time between repeats of an unchanged alert; 0 = never repeat. */
	repeatMs?: number;
	/** Default hysteresis: recovery below threshold × (1 − marginRatio). */
	marginRatio?: number;
	rules?: AlertRule[];
}

export function defaultAlertRules(thresholds: AlertThresholds = DEFAULT_THRESHOLDS): AlertRule[] {
	return [
		{ key: 'memory', label: 'Memory', unit: '%', channel: 'performance', ...thresholds.memoryPercent },
		{ key: 'cpu', label: 'CPU', unit: '%', channel: 'performance', ...thresholds.cpuPercent },
		{ key: 'disk', label: 'Disk', unit: '%', channel: 'performance', ...thresholds.diskPercent },
		{ key: 'eventLoop', label: 'Event-loop p99 delay', unit: 'ms', channel: 'performance', ...thresholds.eventLoopP99Ms },
		{ key: 'networkLatency', label: 'Discord latency', unit: 'ms', channel: 'performance', ...thresholds.networkLatencyMs },
		{ key: 'responseTime', label: 'Command response time (p95)', unit: 'ms', channel: 'performance', ...thresholds.responseTimeMs },
		{ key: 'errorRate', label: 'Error rate', unit: '/min', channel: 'diagnostics', ...thresholds.errorsPerMinute },
		// 1 = the API did not answer our last request; any positive reading is critical.
		{ key: 'discordApi', label: 'Discord API unreachable', unit: '', channel: 'performance', critical: 0.5, marginRatio: 0 }
	];
}

/** One rule's open alert, as kept between evaluations (plain data: a fleet keeps it in Redis). */
export interface AlertState {
	level: AlertLevel;
	since: number;
	lastSentAt: number;
	value: number;
	threshold: number;
	detail?: string;
}

/**
 * Threshold alerts as a pure state machine (time comes in as `now`). Per rule:
 * - crossing warn fires one WARNING; crossing critical fires (or escalates to) CRITICAL at once;
 * - while it lasts, the same level repeats at most every `repeatMs`;
 * - recovery needs the value below the threshold by a margin (hysteresis), then ONE INFO is sent,
 *   so a value hovering at a threshold produces one alert, not one per sample;
 * - a missing reading changes nothing (no data is not a recovery).
 */
export class AlertManager {
	private readonly rules: Map<AlertKey, AlertRule>;
	private readonly repeatMs: number;
	private readonly marginRatio: number;
	private readonly states = new Map<AlertKey, AlertState>();

	public constructor(options: AlertManagerOptions = {}) {
		const rules = options.rules ?? defaultAlertRules(options.thresholds);
		this.rules = new Map(rules.map((rule) => [rule.key, rule]));
		this.repeatMs = options.repeatMs ?? 30 * 60_000;
		this.marginRatio = options.marginRatio ?? 0.1;
	}

	public evaluate(sample: AlertSample, now: number): AlertEvent[] {
		const events: AlertEvent[] = [];
		for (const [key, reading] of Object.entries(sample) as [AlertKey, AlertReading | undefined][]) {
			const rule = this.rules.get(key);
			if (!rule || reading === undefined) continue;
			const value = typeof reading === 'number' ? reading : reading.value;
			const detail = typeof reading === 'number' ? undefined : reading.detail;
			if (!Number.isFinite(value)) continue;
			const event = this.step(rule, value, detail, now);
			if (event) events.push(event);
		}
		return events;
	}

	public active(): ActiveAlert[] {
		return [...this.states].map(([key, state]) => {
			const rule = this.rules.get(key)!;
			return { key, label: rule.label, level: state.level, since: state.since, lastSentAt: state.lastSentAt, value: state.value, threshold: state.threshold, unit: rule.unit, detail: state.detail };
		});
	}

	/** The open alerts of `keys` (absent = not alerting), to hand to another process. */
	public exportStates(keys: readonly AlertKey[]): Partial<Record<AlertKey, AlertState | null>> {
		return Object.fromEntries(keys.map((key) => [key, this.states.has(key) ? { ...this.states.get(key)! } : null]));
	}

	/** Takes over the state of `keys` from another process (null = not alerting), so its alerts neither repeat nor get lost. */
	public importStates(states: Partial<Record<AlertKey, AlertState | null>>): void {
		for (const [key, state] of Object.entries(states) as [AlertKey, AlertState | null][]) {
			if (state) this.states.set(key, { ...state });
			else this.states.delete(key);
		}
	}

	public rule(key: AlertKey): AlertRule | undefined {
		return this.rules.get(key);
	}

	private step(rule: AlertRule, value: number, detail: string | undefined, now: number): AlertEvent | undefined {
		const state = this.states.get(rule.key);
		const margin = 1 - (rule.marginRatio ?? this.marginRatio);
		const crossed: AlertLevel | undefined = rule.critical !== undefined && value > rule.critical ? 'CRITICAL' : rule.warn !== undefined && value > rule.warn ? 'WARNING' : undefined;

		if (!state) {
			if (!crossed) return undefined;
			const threshold = (crossed === 'CRITICAL' ? rule.critical : rule.warn)!;
			this.states.set(rule.key, { level: crossed, since: now, lastSentAt: now, value, threshold, detail });
			return this.event(rule, 'fired', crossed, value, threshold, detail, now, now);
		}

		state.value = value;
		state.detail = detail ?? state.detail;
		if (crossed === 'CRITICAL' && state.level === 'WARNING') {
			state.level = 'CRITICAL';
			state.threshold = rule.critical!;
			state.lastSentAt = now;
			return this.event(rule, 'escalated', 'CRITICAL', value, state.threshold, detail, state.since, now);
		}

		// The lowest line of this rule, lowered by the margin: under it the condition is over.
		const lowest = rule.warn ?? rule.critical!;
		const recoveryLine = lowest * margin;
		if (value < recoveryLine) {
			this.states.delete(rule.key);
			return this.event(rule, 'recovered', 'INFO', value, recoveryLine, detail, state.since, now);
		}
		// Ease CRITICAL back to WARNING once clearly under the critical line (no message: not a recovery).
		if (state.level === 'CRITICAL' && rule.warn !== undefined && value < rule.critical! * margin) {
			state.level = 'WARNING';
			state.threshold = rule.warn;
		}
		if (this.repeatMs > 0 && now - state.lastSentAt >= this.repeatMs) {
			state.lastSentAt = now;
			return this.event(rule, 'repeated', state.level, value, state.threshold, state.detail, state.since, now);
		}
		return undefined;
	}

	private event(rule: AlertRule, kind: AlertEvent['kind'], level: Severity, value: number, threshold: number, detail: string | undefined, since: number, now: number): AlertEvent {
		const durationMs = now - since;
		return { key: rule.key, label: rule.label, kind, level, channel: rule.channel, value, threshold, unit: rule.unit, detail, since, at: now, durationMs, message: alertMessage(rule, kind, level, value, threshold, detail, durationMs) };
	}
}

export function formatValue(value: number, unit: AlertRule['unit']): string {
	if (unit === '%') return `${value.toFixed(1)}%`;
	if (unit === 'ms') return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
	if (unit === '/min') return `${value.toFixed(1)}/min`;
	return String(value);
}

function minutes(ms: number): string {
	const total = Math.round(ms / 60_000);
	return total < 60 ? `${total} min` : `${Math.floor(total / 60)} h ${total % 60} min`;
}

function alertMessage(rule: AlertRule, kind: AlertEvent['kind'], level: Severity, value: number, threshold: number, detail: string | undefined, durationMs: number): string {
	const where = detail ? ` (${detail})` : '';
	if (rule.unit === '') {
		if (kind === 'recovered') return `${rule.label}: resolved after ${minutes(durationMs)}${where}`;
		return `${rule.label}${where}${kind === 'repeated' ? `, for ${minutes(durationMs)}` : ''}`;
	}
	const shown = formatValue(value, rule.unit);
	const line = formatValue(threshold, rule.unit);
	switch (kind) {
		case 'fired':
		case 'escalated':
			return `${rule.label} ${shown}${where}: above the ${level.toLowerCase()} threshold of ${line}`;
		case 'repeated':
			return `${rule.label} still ${shown}${where} after ${minutes(durationMs)}: above the ${level.toLowerCase()} threshold of ${line}`;
		case 'recovered':
			return `${rule.label} back to ${shown}${where} (under ${line}) after ${minutes(durationMs)}`;
	}
}
