import { readdirSync, readFileSync } from 'node:fs';
import { constants, createHistogram, performance, PerformanceObserver, type EventLoopUtilization, type RecordableHistogram } from 'node:perf_hooks';
import v8 from 'node:v8';
import { parseStatusField } from './procfs.js';

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb' | 'other';
export const GC_KINDS: readonly GcKind[] = ['minor', 'major', 'incremental', 'weakcb', 'other'];

export interface ProcessSnapshot {
	at: number;
	/** Time since the previous sample (or since start()). */
	windowMs: number;
	uptimeSeconds: number;
	memory: {
		rssBytes: number;
		heapUsedBytes: number;
		heapTotalBytes: number;
		/** V8's hard limit (--max-old-space-size); near it the process dies with "heap out of memory". */
		heapLimitBytes: number;
		heapPercentOfLimit: number;
		externalBytes: number;
		arrayBuffersBytes: number;
	};
	/** This process's CPU over the window, as % of one core (can exceed 100 with worker threads). */
	cpuPercentOfCore: number;
	threads: number | null;
	openFds: number | null;
	eventLoop: {
		/** Delay beyond the timer resolution, i.e. how late the loop was; 0 when idle. */
		delayP50Ms: number;
		delayP99Ms: number;
		delayMaxMs: number;
		delayMeanMs: number;
		/** Share of the window the loop spent busy (0..1). */
		utilization: number;
		resolutionMs: number;
	};
	/** Collections during the window, by kind. */
	gc: { count: number; pauseMs: number; byKind: Record<GcKind, { count: number; pauseMs: number }> };
	handles: { total: number; byType: Record<string, number> };
}

export interface ProcessSamplerOptions {
	/**
	 * Timer resolution of the event-loop probe while the loop is doing work. Each tick wakes the loop:
	 * measured on a 2-core VM, 10 ms costs ~0.8% of a core on an idle process, 20 ms ~0.4%, 50 ms
	 * ~0.17%, 100 ms ~0.09%. A stall longer than the resolution shows as lateness; the alert
	 * (p99 >= 100 ms) is about sustained lag.
	 */
	eventLoopResolutionMs?: number;
	/**
	 * Resolution while the loop is quiet (default 1000 ms): after `quietAfterMs` (default 10 s) with
	 * the loop busy under 2% of the time and no tick 20 ms late, the probe ticks this rarely, so an
	 * idle bot is not woken 10 times a second. A quiet tick that found 5 ms or more of work since the
	 * tick before records that busy time as the delay (no single stall can be longer), so a stall
	 * between two quiet ticks is not lost; a tick that finds the loop busier or late puts the probe
	 * back to `eventLoopResolutionMs` at once.
	 */
	quietResolutionMs?: number;
	quietAfterMs?: number;
	now?: () => number;
	/** Linux /proc reads; injectable for tests and other platforms. */
	readStatus?: () => Promise<string | undefined>;
	countFds?: () => Promise<number | undefined>;
}

const GC_KIND_BY_FLAG: Record<number, GcKind> = {
	[constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
	[constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
	[constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
	[constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb'
};

function procOrUndefined<T>(read: () => T): T | undefined {
	try {
		return read();
	} catch {
		return undefined;
	}
}

/** The loop is quiet while its ticks are on time (within this, ms) and it is busy less than this share of the time. */
const QUIET_MAX_LATENESS_MS = 20;
const QUIET_MAX_BUSY_SHARE = 0.02;
/** A quiet tick that found at least this much busy time (ms) records it as the delay (an upper bound of the longest stall). */
const QUIET_RECORD_BUSY_MS = 5;
/** The histogram takes integers >= 1: an on-time tick is recorded as 1 ns. */
const nanoseconds = (ms: number) => Math.max(1, Math.round(ms * 1e6));

const emptyGc = () => ({ minor: { count: 0, pauseMs: 0 }, major: { count: 0, pauseMs: 0 }, incremental: { count: 0, pauseMs: 0 }, weakcb: { count: 0, pauseMs: 0 }, other: { count: 0, pauseMs: 0 } });

/**
 * Samples this process. `start()` turns on the two continuous probes (event-loop delay histogram
 * and a GC observer); every `sample()` reads and resets them, so each snapshot covers exactly the
 * time since the previous one. One instance per process; it is cheap to sample every few seconds.
 */
export class ProcessSampler {
	public readonly resolutionMs: number;
	private readonly now: () => number;
	private readonly readStatus: () => Promise<string | undefined>;
	private readonly countFds: () => Promise<number | undefined>;
	public readonly quietResolutionMs: number;
	private readonly quietAfterMs: number;
	/** How late each probe tick was (ns, at least 1) since the last sample. */
	private histogram: RecordableHistogram | undefined;
	private probe: NodeJS.Timeout | undefined;
	private lastTick = 0;
	private tickElu: EventLoopUtilization | undefined;
	/** The probe's current period: `resolutionMs`, or `quietResolutionMs` while the loop is quiet. */
	private periodMs = 0;
	/** Busy time and worst lateness of the ticks since `since`: quiet when both stay low for `quietAfterMs`. */
	private readonly quietWindow = { since: 0, busyMs: 0, maxLatenessMs: 0 };
	private observer: PerformanceObserver | undefined;
	private gc = emptyGc();
	private lastAt: number;
	/** Real elapsed time for the CPU share, independent of the injectable clock. */
	private lastPerf = performance.now();
	private lastCpu: NodeJS.CpuUsage;
	private lastElu: EventLoopUtilization;

	public constructor(options: ProcessSamplerOptions = {}) {
		this.resolutionMs = options.eventLoopResolutionMs ?? 100;
		this.quietResolutionMs = Math.max(this.resolutionMs, options.quietResolutionMs ?? 1000);
		this.quietAfterMs = options.quietAfterMs ?? 10_000;
		this.now = options.now ?? Date.now;
		// Synchronous: /proc is generated in memory, and a promise read would hop through the thread pool.
		this.readStatus = options.readStatus ?? (async () => procOrUndefined(() => readFileSync('/proc/self/status', 'utf8')));
		this.countFds = options.countFds ?? (async () => procOrUndefined(() => readdirSync('/proc/self/fd').length));
		this.lastAt = this.now();
		this.lastCpu = process.cpuUsage();
		this.lastElu = performance.eventLoopUtilization();
	}

	public get running(): boolean {
		return this.histogram !== undefined;
	}

	public start(): void {
		if (this.histogram) return;
		// Our own tick instead of monitorEventLoopDelay: resetting that histogram also forgets its last
		// tick, so a stall starting right after a sample went unrecorded. Here the last tick survives
		// the reset and every gap lands in some window. A timeout re-armed per tick (not an interval),
		// so the period can follow the load.
		this.histogram = createHistogram();
		this.lastTick = performance.now();
		this.tickElu = performance.eventLoopUtilization();
		this.restartQuietWindow(this.lastTick);
		this.armProbe(this.resolutionMs);
		this.observer = new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) {
				const flag = (entry as { detail?: { kind?: number } }).detail?.kind ?? -1;
				const bucket = this.gc[GC_KIND_BY_FLAG[flag] ?? 'other'];
				bucket.count++;
				bucket.pauseMs += entry.duration;
			}
		});
		this.observer.observe({ entryTypes: ['gc'] });
		this.lastAt = this.now();
		this.lastPerf = performance.now();
		this.lastCpu = process.cpuUsage();
		this.lastElu = performance.eventLoopUtilization();
	}

	/** The probe's period now (ms): the resolution, or the quiet resolution while the loop idles. */
	public get probePeriodMs(): number {
		return this.periodMs;
	}

	private armProbe(periodMs: number): void {
		this.periodMs = periodMs;
		this.probe = setTimeout(() => this.tick(), periodMs);
		this.probe.unref();
	}

	private restartQuietWindow(since: number): void {
		this.quietWindow.since = since;
		this.quietWindow.busyMs = 0;
		this.quietWindow.maxLatenessMs = 0;
	}

	private tick(): void {
		const histogram = this.histogram;
		if (!histogram) return;
		const now = performance.now();
		const latenessMs = Math.max(0, now - this.lastTick - this.periodMs);
		const elu = performance.eventLoopUtilization();
		const busyMs = elu.active - this.tickElu!.active;
		this.tickElu = elu;
		this.lastTick = now;
		if (this.periodMs > this.resolutionMs) {
			// Quiet: the busy time since the last tick bounds the longest stall in it, so a stall that
			// began and ended between two quiet ticks is recorded too (as at most that long).
			histogram.record(nanoseconds(busyMs >= QUIET_RECORD_BUSY_MS ? Math.max(latenessMs, busyMs) : latenessMs));
			const stillQuiet = latenessMs < QUIET_MAX_LATENESS_MS && busyMs < this.periodMs * QUIET_MAX_BUSY_SHARE;
			if (!stillQuiet) this.restartQuietWindow(now);
			this.armProbe(stillQuiet ? this.quietResolutionMs : this.resolutionMs);
			return;
		}
		histogram.record(nanoseconds(latenessMs));
		const window = this.quietWindow;
		window.busyMs += busyMs;
		window.maxLatenessMs = Math.max(window.maxLatenessMs, latenessMs);
		const elapsedMs = now - window.since;
		let goQuiet = false;
		if (elapsedMs >= this.quietAfterMs) {
			goQuiet = window.maxLatenessMs < QUIET_MAX_LATENESS_MS && window.busyMs < elapsedMs * QUIET_MAX_BUSY_SHARE;
			this.restartQuietWindow(now);
		}
		this.armProbe(goQuiet ? this.quietResolutionMs : this.resolutionMs);
	}

	public stop(): void {
		if (this.probe) clearTimeout(this.probe);
		this.probe = undefined;
		this.histogram = undefined;
		this.observer?.disconnect();
		this.observer = undefined;
	}

	public async sample(): Promise<ProcessSnapshot> {
		const [status, openFds] = await Promise.all([this.readStatus(), this.countFds()]);
		const at = this.now();
		const windowMs = Math.max(0, at - this.lastAt);
		const memory = process.memoryUsage();
		const heapLimitBytes = v8.getHeapStatistics().heap_size_limit;
		const cpu = process.cpuUsage(this.lastCpu);
		const elu = performance.eventLoopUtilization(this.lastElu);
		const perfNow = performance.now();
		const realMs = perfNow - this.lastPerf;
		this.lastPerf = perfNow;
		this.lastAt = at;
		this.lastCpu = process.cpuUsage();
		this.lastElu = performance.eventLoopUtilization();

		const histogram = this.histogram;
		// 1 ns is how an on-time tick is recorded (the histogram takes values >= 1).
		const lateness = (nanoseconds: number) => (Number.isFinite(nanoseconds) && nanoseconds > 1 ? nanoseconds / 1e6 : 0);
		const hasSamples = histogram !== undefined && histogram.count > 0;
		const eventLoop = {
			delayP50Ms: hasSamples ? lateness(histogram.percentile(50)) : 0,
			delayP99Ms: hasSamples ? lateness(histogram.percentile(99)) : 0,
			delayMaxMs: hasSamples ? lateness(histogram.max) : 0,
			delayMeanMs: hasSamples ? lateness(histogram.mean) : 0,
			utilization: elu.utilization,
			resolutionMs: this.resolutionMs
		};
		histogram?.reset();

		const byKind = this.gc;
		this.gc = emptyGc();
		let gcCount = 0;
		let gcPause = 0;
		for (const kind of GC_KINDS) {
			gcCount += byKind[kind].count;
			gcPause += byKind[kind].pauseMs;
		}

		const resources = process.getActiveResourcesInfo();
		const byType: Record<string, number> = {};
		for (const type of resources) byType[type] = (byType[type] ?? 0) + 1;

		return {
			at,
			windowMs,
			uptimeSeconds: process.uptime(),
			memory: {
				rssBytes: memory.rss,
				heapUsedBytes: memory.heapUsed,
				heapTotalBytes: memory.heapTotal,
				heapLimitBytes,
				heapPercentOfLimit: heapLimitBytes > 0 ? (memory.heapUsed / heapLimitBytes) * 100 : 0,
				externalBytes: memory.external,
				arrayBuffersBytes: memory.arrayBuffers
			},
			cpuPercentOfCore: realMs > 0 ? ((cpu.user + cpu.system) / 1000 / realMs) * 100 : 0,
			threads: status ? (parseStatusField(status, 'Threads') ?? null) : null,
			openFds: openFds ?? null,
			eventLoop,
			gc: { count: gcCount, pauseMs: gcPause, byKind },
			handles: { total: resources.length, byType }
		};
	}
}
