import { describe, expect, it } from 'vitest';
import { AlertManager, type AlertEvent } from '#lib/monitoring/AlertManager.js';
import { thresholdsFromConfig } from '#lib/monitoring/AlertThresholds.js';

const MINUTE = 60_000;
const summary = (events: AlertEvent[]) => events.map((event) => `${event.key}:${event.kind}:${event.level}`);

/** Feeds one value per `stepMs` and collects every event. */
function run(manager: AlertManager, key: 'memory' | 'networkLatency' | 'disk' | 'eventLoop', values: number[], stepMs = 30_000, start = 0): AlertEvent[] {
	const events: AlertEvent[] = [];
	values.forEach((value, index) => events.push(...manager.evaluate({ [key]: value }, start + index * stepMs)));
	return events;
}

describe('AlertManager', () => {
	it('fires one WARNING for a value hovering at the threshold, no spam inside the repeat window', () => {
		const manager = new AlertManager({ repeatMs: 30 * MINUTE });
		// 40 samples, 30 s apart (20 min): bouncing 74.5 / 75.5 around the 75% warn line.
		const hovering = Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? 75.5 : 74.5));
		const events = run(manager, 'memory', hovering);
		expect(summary(events)).toEqual(['memory:fired:WARNING']);
		expect(events[0].message).toBe('Memory 75.5%: above the warning threshold of 75.0%');
		expect(manager.active()).toHaveLength(1);
		expect(manager.active()[0]).toMatchObject({ key: 'memory', level: 'WARNING', since: 0 });
	});

	it('repeats at most once per repeat window while the condition lasts', () => {
		const manager = new AlertManager({ repeatMs: 30 * MINUTE });
		// 61 min at 80%, one sample a minute.
		const events = run(manager, 'memory', Array(62).fill(80), MINUTE);
		expect(summary(events)).toEqual(['memory:fired:WARNING', 'memory:repeated:WARNING', 'memory:repeated:WARNING']);
		expect(events.map((event) => event.at)).toEqual([0, 30 * MINUTE, 60 * MINUTE]);
		expect(events[1].message).toBe('Memory still 80.0% after 30 min: above the warning threshold of 75.0%');
	});

	it('never repeats when the repeat interval is 0', () => {
		const manager = new AlertManager({ repeatMs: 0 });
		expect(summary(run(manager, 'memory', Array(200).fill(80), MINUTE))).toEqual(['memory:fired:WARNING']);
	});

	it('sends exactly one recovery INFO once the value is under the threshold by the margin', () => {
		const manager = new AlertManager();
		// Fires at 80, stays active in the band 67.5..75 (10% margin), recovers at 67, stays quiet after.
		const events = run(manager, 'memory', [80, 74, 70, 68, 67, 60, 50, 50]);
		expect(summary(events)).toEqual(['memory:fired:WARNING', 'memory:recovered:INFO']);
		const recovery = events[1];
		expect(recovery.threshold).toBeCloseTo(67.5);
		expect(recovery.durationMs).toBe(4 * 30_000);
		expect(recovery.message).toBe('Memory back to 67.0% (under 67.5%) after 2 min');
		expect(manager.active()).toEqual([]);
	});

	it('escalates WARNING -> CRITICAL immediately, even inside the repeat window', () => {
		const manager = new AlertManager({ repeatMs: 30 * MINUTE });
		const events = run(manager, 'networkLatency', [150, 250, 300, 620, 640, 610], 60_000);
		expect(summary(events)).toEqual(['networkLatency:fired:WARNING', 'networkLatency:escalated:CRITICAL']);
		expect(events[1]).toMatchObject({ value: 620, threshold: 500, since: 60_000, at: 180_000 });
		expect(manager.active()[0].level).toBe('CRITICAL');
	});

	it('fires CRITICAL directly when the first crossing is above critical, then one recovery', () => {
		const manager = new AlertManager();
		const events = run(manager, 'networkLatency', [700, 520, 480, 300, 120]);
		// 480 is under 500 but not under 450 (margin): still critical; 300 eases to warning silently;
		// 120 < 180 recovers.
		expect(summary(events)).toEqual(['networkLatency:fired:CRITICAL', 'networkLatency:recovered:INFO']);
	});

	it('does not re-escalate while a critical value hovers around the critical line', () => {
		const manager = new AlertManager({ repeatMs: 30 * MINUTE });
		const events = run(manager, 'networkLatency', [250, 510, 495, 505, 490, 510, 499, 501], 30_000);
		expect(summary(events)).toEqual(['networkLatency:fired:WARNING', 'networkLatency:escalated:CRITICAL']);
	});

	it('repeats at the eased level after a CRITICAL calmed down to WARNING', () => {
		const manager = new AlertManager({ repeatMs: 10 * MINUTE });
		const events = run(manager, 'networkLatency', [600, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300], MINUTE);
		expect(summary(events)).toEqual(['networkLatency:fired:CRITICAL', 'networkLatency:repeated:WARNING']);
		expect(events[1].at).toBe(10 * MINUTE);
	});

	it('handles rules with only a critical line (disk) and only a warn line (event loop)', () => {
		const manager = new AlertManager();
		expect(summary(run(manager, 'disk', [85, 91, 89, 85, 80]))).toEqual(['disk:fired:CRITICAL', 'disk:recovered:INFO']);
		expect(summary(run(manager, 'eventLoop', [40, 280, 150, 95, 85]))).toEqual(['eventLoop:fired:WARNING', 'eventLoop:recovered:INFO']);
	});

	it('treats a missing reading as no news, not as a recovery', () => {
		const manager = new AlertManager();
		expect(summary(manager.evaluate({ memory: 80 }, 0))).toEqual(['memory:fired:WARNING']);
		expect(manager.evaluate({ memory: undefined }, 1000)).toEqual([]);
		expect(manager.evaluate({ memory: Number.NaN }, 2000)).toEqual([]);
		expect(manager.active()).toHaveLength(1);
	});

	it('carries details (which shard, which command) into the message', () => {
		const manager = new AlertManager();
		const [event] = manager.evaluate({ networkLatency: { value: 620, detail: 'gateway, shard 0' } }, 0);
		expect(event.message).toBe('Discord latency 620 ms (gateway, shard 0): above the critical threshold of 500 ms');
		expect(manager.active()[0].detail).toBe('gateway, shard 0');
	});

	it('models API reachability as a critical on/off alert with one recovery', () => {
		const manager = new AlertManager();
		const events = [0, 1, 1, 1, 0, 0].flatMap((value, index) => manager.evaluate({ discordApi: { value, detail: 'ECONNREFUSED' } }, index * MINUTE));
		expect(summary(events)).toEqual(['discordApi:fired:CRITICAL', 'discordApi:recovered:INFO']);
		expect(events[0].message).toBe('Discord API unreachable (ECONNREFUSED)');
		expect(events[1].message).toBe('Discord API unreachable: resolved after 3 min (ECONNREFUSED)');
	});

	it('routes error-rate alerts to diagnostics and resource alerts to performance', () => {
		const manager = new AlertManager();
		const events = manager.evaluate({ errorRate: 12, cpu: 90 }, 0);
		expect(events.map((event) => [event.key, event.channel, event.level])).toEqual([
			['errorRate', 'diagnostics', 'WARNING'],
			['cpu', 'performance', 'CRITICAL']
		]);
	});

	it('takes thresholds from config and a configurable margin', () => {
		const thresholds = thresholdsFromConfig({
			ALERT_MEMORY_WARN_PERCENT: 60,
			ALERT_MEMORY_CRITICAL_PERCENT: 80,
			ALERT_CPU_WARN_PERCENT: 70,
			ALERT_CPU_CRITICAL_PERCENT: 85,
			ALERT_RESPONSE_WARN_MS: 2000,
			ALERT_RESPONSE_CRITICAL_MS: 5000,
			ALERT_LATENCY_WARN_MS: 200,
			ALERT_LATENCY_CRITICAL_MS: 500,
			ALERT_DISK_CRITICAL_PERCENT: 90,
			ALERT_EVENT_LOOP_WARN_MS: 100
		});
		const manager = new AlertManager({ thresholds, marginRatio: 0.02 });
		expect(summary(run(manager, 'memory', [61, 59.5, 58.7]))).toEqual(['memory:fired:WARNING', 'memory:recovered:INFO']);
	});
});
