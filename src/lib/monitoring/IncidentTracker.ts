import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import type { Service } from '#lib/ServiceRegistry.js';

/** What an incident is about: 'redis', 'database', 'discord-rest', 'report-channel:logs', … */
export type DependencyKey = string;

const LABELS: Record<string, string> = {
	redis: 'Redis',
	database: 'Statistics database',
	'discord-rest': 'Discord REST API',
	'discord-gateway': 'Discord gateway'
};

export function dependencyLabel(key: DependencyKey): string {
	if (key.startsWith('report-channel:')) return `Report channel "${key.slice('report-channel:'.length)}"`;
	return LABELS[key] ?? key;
}

export interface IncidentTrackerOptions {
	/** Posts go to Diagnostics: `(input) => reporter.enqueue('diagnostics', input)`. */
	report: (input: ReportEventInput) => void;
	/** INCIDENT_GRACE_MS: a failure that does not last this long is a blip and stays silent. */
	graceMs: number;
	/** ALERT_REPEAT_MINUTES in ms: an open incident is reminded at most this often; 0 = never. */
	repeatMs: number;
	/**
	 * A pending failure with no further failure for this long went away by itself (no recovery
	 * signal needed). Longer than the grace, because clients retry with backoff (ioredis: 1, 2, 4, 8 … s).
	 * Default max(graceMs, 60 s).
	 */
	quietMs?: number;
	now?: () => number;
	/** How often grace and reminders are checked. Default min(graceMs, 1 s), at least 100 ms. */
	tickMs?: number;
	/** Local log for state changes (below error level: the posts are the alert). */
	log?: { warn: (message: string) => void; info: (message: string) => void };
}

export interface IncidentSnapshot {
	dependency: DependencyKey;
	label: string;
	/** pending = inside the grace, not posted; open = posted, waiting for recovery. */
	state: 'pending' | 'open';
	since: string;
	failures: number;
	lastError: string;
	lastFailureAt: string;
}

interface Incident {
	state: 'pending' | 'open';
	since: number;
	failures: number;
	lastFailureAt: number;
	lastError: string;
	lastPostAt: number;
	reminders: number;
	/** Known to be down until recovered() (a disconnected gateway, an unknown channel): no second failure needed, never goes quiet. */
	held: boolean;
}

/**
 * A dependency outage is ONE incident, whoever notices it and however often:
 * - `failure(dep, error)` from every place that sees the dependency fail (connection error events,
 *   log lines of plugins and clients, failed flushes) only counts while an incident is open;
 * - after `graceMs` of failing (at least twice) without recovery, one CRITICAL post says it started;
 *   a failure that recovers within the grace, or stops (no failure for `quietMs`), was a blip: nothing is posted;
 * - while it lasts, one reminder at most every `repeatMs`, with the running count of failures;
 * - `recovered(dep)` from whoever sees it work again posts one INFO with the duration and count.
 *
 * Other services report their dependencies through `container.incidents.failure('redis', error)` and
 * `container.incidents.recovered('redis')`; calls are cheap and never throw.
 */
export class IncidentTracker implements Service {
	public readonly name = 'incidents';
	private readonly report: IncidentTrackerOptions['report'];
	private readonly graceMs: number;
	private readonly repeatMs: number;
	private readonly quietMs: number;
	private readonly now: () => number;
	private readonly tickMs: number;
	private readonly log: IncidentTrackerOptions['log'];
	private readonly incidents = new Map<DependencyKey, Incident>();
	private timer?: NodeJS.Timeout;
	private started = false;

	public constructor(options: IncidentTrackerOptions) {
		this.report = options.report;
		this.graceMs = Math.max(0, options.graceMs);
		this.repeatMs = Math.max(0, options.repeatMs);
		this.quietMs = options.quietMs ?? Math.max(this.graceMs, 60_000);
		this.now = options.now ?? Date.now;
		this.tickMs = options.tickMs ?? Math.max(100, Math.min(this.graceMs || 1000, 1000));
		this.log = options.log;
	}

	/** The dependency failed (again). */
	public failure(dependency: DependencyKey, error?: unknown): void {
		this.record(dependency, error, false);
	}

	/**
	 * The dependency is down and stays down until `recovered(dep)` (a state, not a stream of failed
	 * attempts): it opens after the grace even if nothing fails again meanwhile. Counts as a failure.
	 */
	public down(dependency: DependencyKey, error?: unknown): void {
		this.record(dependency, error, true);
	}

	private record(dependency: DependencyKey, error: unknown, held: boolean): void {
		try {
			const now = this.now();
			const message = describe(error);
			let incident = this.incidents.get(dependency);
			if (incident && incident.state === 'pending' && !incident.held && now - incident.lastFailureAt > this.quietMs) {
				// The previous failure stopped long ago without a recovery signal: that was a blip, this is a new start.
				this.incidents.delete(dependency);
				incident = undefined;
			}
			if (!incident) {
				incident = { state: 'pending', since: now, failures: 0, lastFailureAt: now, lastError: message, lastPostAt: 0, reminders: 0, held };
				this.incidents.set(dependency, incident);
				this.arm();
			}
			incident.failures++;
			incident.lastFailureAt = now;
			if (held) incident.held = true;
			if (message) incident.lastError = message;
			this.step(dependency, incident, now);
		} catch {
			// Reporting an outage must never add one.
		}
	}

	/** The dependency works again (a connection is ready, a write went through). */
	public recovered(dependency: DependencyKey): void {
		try {
			const incident = this.incidents.get(dependency);
			if (!incident) return;
			this.incidents.delete(dependency);
			if (incident.state === 'pending') return;
			const now = this.now();
			const label = dependencyLabel(dependency);
			this.log?.info(`${label} recovered after ${duration(now - incident.since)} (${incident.failures} failures).`);
			this.report({
				event: 'incident.recovered',
				severity: 'INFO',
				title: `${label} recovered after ${duration(now - incident.since)} (${incident.failures} failure${incident.failures === 1 ? '' : 's'})`,
				data: { dependency, since: iso(incident.since), recoveredAt: iso(now), durationMs: now - incident.since, failures: incident.failures, reminders: incident.reminders, lastError: incident.lastError }
			});
		} catch {
			// See failure().
		}
	}

	/** Whether an incident (pending or open) exists for this dependency. */
	public isFailing(dependency: DependencyKey): boolean {
		return this.incidents.has(dependency);
	}

	public snapshot(): IncidentSnapshot[] {
		return [...this.incidents].map(([dependency, incident]) => ({
			dependency,
			label: dependencyLabel(dependency),
			state: incident.state,
			since: iso(incident.since),
			failures: incident.failures,
			lastError: incident.lastError,
			lastFailureAt: iso(incident.lastFailureAt)
		}));
	}

	/** Opens incidents whose grace is over and sends due reminders (the timer calls it; public for tests). */
	public tick(now = this.now()): void {
		for (const [dependency, incident] of this.incidents) {
			if (incident.state === 'pending' && !incident.held && now - incident.lastFailureAt > this.quietMs) {
				// No failure for a long while and no recovery signal: it went away by itself.
				this.incidents.delete(dependency);
				continue;
			}
			this.step(dependency, incident, now);
		}
		if (this.incidents.size === 0) this.disarm();
	}

	public start(): void {
		this.started = true;
		if (this.incidents.size > 0) this.arm();
	}

	public stop(): void {
		this.started = false;
		this.disarm();
	}

	/** The timer runs only while an incident is pending or open: a healthy bot is not woken every second for nothing. */
	private arm(): void {
		if (!this.started || this.timer) return;
		this.timer = setInterval(() => this.tick(), this.tickMs);
		this.timer.unref();
	}

	private disarm(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}

	private step(dependency: DependencyKey, incident: Incident, now: number): void {
		const label = dependencyLabel(dependency);
		if (incident.state === 'pending') {
			// One failure is not an outage (a straggling line after a recovery, a single timeout): it takes a retry failing too.
			if (now - incident.since < this.graceMs || (incident.failures < 2 && !incident.held)) return;
			incident.state = 'open';
			incident.lastPostAt = now;
			this.log?.warn(`${label} is failing since ${iso(incident.since)} (${incident.failures} failures): ${incident.lastError}`);
			this.report({
				event: 'incident.started',
				severity: 'CRITICAL',
				title: `${label} unavailable: ${incident.lastError || 'failing'}`,
				data: {
					dependency,
					since: iso(incident.since),
					failures: incident.failures,
					lastError: incident.lastError,
					note: `One incident: further failures are counted, reminders at most every ${this.repeatMs > 0 ? duration(this.repeatMs) : 'never'}, one post on recovery.`
				}
			});
			return;
		}
		if (this.repeatMs > 0 && now - incident.lastPostAt >= this.repeatMs) {
			incident.lastPostAt = now;
			incident.reminders++;
			this.report({
				event: 'incident.ongoing',
				severity: 'CRITICAL',
				title: `${label} still unavailable after ${duration(now - incident.since)} (${incident.failures} failures)`,
				data: { dependency, since: iso(incident.since), durationMs: now - incident.since, failures: incident.failures, lastError: incident.lastError, lastFailureAt: iso(incident.lastFailureAt) }
			});
		}
	}
}

function describe(error: unknown): string {
	if (error === undefined || error === null) return '';
	const text = error instanceof Error ? error.message || error.name : typeof error === 'string' ? error : String((error as { message?: unknown }).message ?? error);
	const line = text.split('\n', 1)[0]!.trim();
	return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/** "45 s", "12 min 5 s", "2 h 3 min". */
export function duration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
	return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
