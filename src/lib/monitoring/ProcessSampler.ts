import { readdir, readFile } from 'node:fs/promises';
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
	 * Timer resolution of the event-loop probe. Each tick wakes the loop: measured on a 2-core VM,
	 * 10 ms costs ~0.8% of a core on an idle process, 20 ms ~0.4%, 50 ms ~0.17%, 100 ms ~0.09%.
	 * 100 ms (the default) keeps an idle bot near 0.1% of a core in total; a stall longer than the
	 * resolution still shows as lateness, and the alert (p99 >= 100 ms) is about sustained lag.
	 */
	eventLoopResolutionMs?: number;
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
	/** Gaps between probe ticks (ns) since the last sample. */
	private histogram: RecordableHistogram | undefined;
	private probe: NodeJS.Timeout | undefined;
	private lastTick = 0;
	private observer: PerformanceObserver | undefined;
	private gc = emptyGc();
	private lastAt: number;
	/** Real elapsed time for the CPU share, independent of the injectable clock. */
	private lastPerf = performance.now();
	private lastCpu: NodeJS.CpuUsage;
	private lastElu: EventLoopUtilization;

	public constructor(options: ProcessSamplerOptions = {}) {
		this.resolutionMs = options.eventLoopResolutionMs ?? 100;
		this.now = options.now ?? Date.now;
		this.readStatus = options.readStatus ?? (() => readFile('/proc/self/status', 'utf8').catch(() => undefined));
		this.countFds = options.countFds ?? (() => readdir('/proc/self/fd').then((entries) => entries.length, () => undefined));
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
		// the reset and every gap lands in some window.
		const histogram = (this.histogram = createHistogram());
		this.lastTick = performance.now();
		this.probe = setInterval(() => {
			const now = performance.now();
			histogram.record(Math.max(1, Math.round((now - this.lastTick) * 1e6)));
			this.lastTick = now;
		}, this.resolutionMs);
		this.probe.unref();
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

	public stop(): void {
		if (this.probe) clearInterval(this.probe);
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
		const lateness = (nanoseconds: number) => (Number.isFinite(nanoseconds) ? Math.max(0, nanoseconds / 1e6 - this.resolutionMs) : 0);
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
