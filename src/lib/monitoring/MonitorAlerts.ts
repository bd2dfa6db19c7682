import { AlertManager, type AlertEvent, type AlertKey, type AlertSample } from './AlertManager.js';
import type { AlertThresholds } from './AlertThresholds.js';
import type { FleetMerge } from './fleetWindows.js';
import { alertEvent } from './monitorReportEvents.js';
import type { MonitorReport } from './monitorTypes.js';

export interface MonitorAlertsOptions {
	thresholds: AlertThresholds;
	repeatMs?: number;
	marginRatio?: number;
	report: MonitorReport;
	instance: string | null;
	fleetMerge?: FleetMerge;
	now: () => number;
}

/**
 * The monitor's alert plumbing: evaluates a sample with the AlertManager, reports each transition
 * at once, and (sharded) carries the fleet's alert state across the process that judges each tick.
 */
export class MonitorAlerts {
	public readonly manager: AlertManager;
	private readonly report: MonitorReport;
	private readonly instance: string | null;
	private readonly fleetMerge: FleetMerge | undefined;
	private readonly now: () => number;

	public constructor(options: MonitorAlertsOptions) {
		this.manager = new AlertManager({ thresholds: options.thresholds, repeatMs: options.repeatMs, marginRatio: options.marginRatio });
		this.report = options.report;
		this.instance = options.instance;
		this.fleetMerge = options.fleetMerge;
		this.now = options.now;
	}

	/** Evaluates the sample and reports every transition; returns them. */
	public emit(sample: AlertSample): AlertEvent[] {
		const events = this.manager.evaluate(sample, this.now());
		for (const alert of events) this.report(alert.channel, alertEvent(alert, this.instance));
		return events;
	}

	/**
	 * Runs a fleet-wide judgement with the fleet's alert state of `keys` (kept in Redis by FleetWindows):
	 * the process that runs this tick continues where the previous one left off. Alone, or when the
	 * state cannot be read, this process's own state is used.
	 */
	public async withFleetState<T>(keys: readonly AlertKey[], judge: () => T): Promise<T> {
		if (!this.fleetMerge || keys.length === 0) return judge();
		const states = await this.fleetMerge.loadAlerts(keys);
		if (states) this.manager.importStates(states);
		const result = judge();
		await this.fleetMerge.saveAlerts(this.manager.exportStates(keys));
		return result;
	}
}
