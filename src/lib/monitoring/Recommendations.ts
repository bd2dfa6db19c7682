import type { Severity } from '#lib/reporting/ReportEvent.js';
import { DEFAULT_THRESHOLDS, type AlertThresholds } from './AlertThresholds.js';
import type { CommandAnalysis } from './CommandAnalyzer.js';
import type { DiscordSnapshot } from './DiscordSampler.js';
import type { ErrorRateSnapshot } from './ErrorRateMonitor.js';
import type { ProcessSnapshot } from './ProcessSampler.js';
import type { SystemSnapshot } from './SystemSampler.js';
import type { Trend } from './TrendAnalyzer.js';

export interface Recommendation {
	severity: Severity;
	component: 'cpu' | 'memory' | 'disk' | 'network' | 'discord' | 'commands' | 'errors';
	text: string;
}

export interface RecommendationInput {
	system?: Pick<SystemSnapshot, 'cpu' | 'memory' | 'disk'>;
	process?: Pick<ProcessSnapshot, 'memory' | 'eventLoop' | 'gc' | 'windowMs' | 'cpuPercentOfCore'>;
	discord?: Pick<DiscordSnapshot, 'shards' | 'rest'>;
	commands?: Pick<CommandAnalysis, 'commands'>;
	errors?: Pick<ErrorRateSnapshot, 'perMinute' | 'bySource' | 'lastError'>;
	/** Named trends; `heapUsedMB` and `memoryPercent` are read here. */
	trends?: Record<string, Trend>;
}

const MB = 1024 * 1024;
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const pct = (value: number) => `${Math.round(value)}%`;

/**
 * Pure: concrete, actionable text for what is wrong in the given samples, worst first.
 * Empty when nothing needs attention.
 */
export class Recommendations {
	public constructor(private readonly thresholds: AlertThresholds = DEFAULT_THRESHOLDS) {}

	public build(input: RecommendationInput): Recommendation[] {
		const t = this.thresholds;
		const out: Recommendation[] = [];
		const add = (severity: Severity, component: Recommendation['component'], text: string) => out.push({ severity, component, text });
		const level = (value: number, threshold: { warn?: number; critical?: number }): Severity | undefined =>
			threshold.critical !== undefined && value > threshold.critical ? 'CRITICAL' : threshold.warn !== undefined && value > threshold.warn ? 'WARNING' : undefined;

		const loop = input.process?.eventLoop;
		const loopWarn = t.eventLoopP99Ms.warn ?? 100;
		if (loop) {
			if (loop.delayP99Ms > loopWarn) {
				const busy = loop.utilization > 0.9 ? ` (the loop is busy ${pct(loop.utilization * 100)} of the time)` : '';
				add(loop.delayP99Ms > loopWarn * 5 ? 'CRITICAL' : 'WARNING', 'cpu', `event-loop p99 ${ms(loop.delayP99Ms)}${busy}: chart renders or sync work are blocking the loop`);
			} else if (loop.delayMaxMs > loopWarn * 3) {
				add('INFO', 'cpu', `event loop stalled once for ${ms(loop.delayMaxMs)}: look for a synchronous call (big JSON, sync fs, a render on the main thread)`);
			}
		}

		const cpu = input.system?.cpu;
		if (cpu) {
			const severity = level(cpu.usagePercent, t.cpuPercent);
			if (severity) {
				const own = input.process?.cpuPercentOfCore;
				const whose =
					own === undefined ? '' : own / cpu.cores > cpu.usagePercent / 2 ? `: Nexus itself uses ${pct(own)} of a core, profile its hot paths` : `: Nexus uses only ${pct(own)} of a core, another process on the host is busy`;
				add(severity, 'cpu', `CPU ${pct(cpu.usagePercent)} (load ${cpu.loadPerCore.toFixed(2)} per core)${whose}`);
			}
			if (cpu.stealPercent > 10) add('WARNING', 'cpu', `CPU steal ${pct(cpu.stealPercent)}: the VM host is oversubscribed, consider another instance type`);
		}

		const memory = input.system?.memory;
		if (memory) {
			const severity = level(memory.effectivePercent, t.memoryPercent);
			if (severity) {
				const ofWhat = memory.limitBytes !== null && (memory.rssPercentOfLimit ?? 0) >= memory.usedPercent ? 'of the container limit' : 'of host memory';
				add(severity, 'memory', `memory ${pct(memory.effectivePercent)} ${ofWhat}: check caches (chart cache CHART_CACHE_MAX, discord.js caches, report spool)`);
			}
			if (memory.swapPercent > 10) add('WARNING', 'memory', `swap ${pct(memory.swapPercent)} in use: the host is short of memory, latency will suffer`);
		}
		const heap = input.process?.memory;
		if (heap && heap.heapPercentOfLimit > 70) {
			add(heap.heapPercentOfLimit > 90 ? 'CRITICAL' : 'WARNING', 'memory', `heap ${Math.round(heap.heapUsedBytes / MB)} MB of ${Math.round(heap.heapLimitBytes / MB)} MB limit (${pct(heap.heapPercentOfLimit)}): raise --max-old-space-size or look for a leak`);
		}
		const heapTrend = input.trends?.heapUsedMB;
		if (heapTrend?.direction === 'increasing' && heapTrend.slopePerMinute > 0.5) {
			add('WARNING', 'memory', `heap grows ${heapTrend.slopePerMinute.toFixed(1)} MB/min over the last hour without levelling off: possible leak, take a heap snapshot`);
		}
		const gc = input.process?.gc;
		if (gc && input.process && input.process.windowMs > 0 && gc.pauseMs / input.process.windowMs > 0.05) {
			add('WARNING', 'memory', `GC pauses take ${pct((gc.pauseMs / input.process.windowMs) * 100)} of the time (${gc.byKind.major.count} major collections): heap pressure, reduce allocations or raise the heap limit`);
		}

		for (const mount of input.system?.disk.mounts ?? []) {
			const critical = t.diskPercent.critical ?? 90;
			if (mount.usedPercent > critical * 0.9) {
				add(mount.usedPercent > critical ? 'CRITICAL' : 'WARNING', 'disk', `disk ${mount.path} ${pct(mount.usedPercent)} full: prune old statistics (RETENTION_*_DAYS) and check the report spool size`);
			}
		}

		const discord = input.discord;
		if (discord) {
			const rest = discord.rest;
			if (rest.reachability === 'unreachable') {
				add('CRITICAL', 'network', `Discord API unreachable (${rest.lastFailure?.code ?? 'no answer'}, ${rest.consecutiveFailures} failed requests in a row): reports are spooled and replayed when it is back`);
			} else if (rest.reachability === 'degraded') {
				add('WARNING', 'network', `Discord API answers with server errors (${rest.lastFailure?.code ?? '5xx'}): requests are retried, check status.discord.com`);
			}
			for (const shard of discord.shards) {
				if (shard.pingMs !== null) {
					const severity = level(shard.pingMs, t.networkLatencyMs);
					if (severity) add(severity, 'network', `gateway latency ${ms(shard.pingMs)} on shard ${shard.id}`);
				}
				if (!shard.ready) add('WARNING', 'discord', `shard ${shard.id} is ${shard.status.toLowerCase().replace(/_/g, ' ')}, not ready`);
			}
			if (rest.count > 0) {
				const severity = level(rest.p95Ms, t.networkLatencyMs);
				if (severity) add(severity, 'network', `Discord REST p95 ${ms(rest.p95Ms)} over ${rest.count} requests: the network path to Discord is slow`);
			}
		}

		const respWarn = t.responseTimeMs.warn ?? 2000;
		for (const command of input.commands?.commands ?? []) {
			const severity = level(command.p95Ms, t.responseTimeMs);
			if (severity) {
				const hint = command.p95Ms > 3000 ? ': defer the reply (3 s interaction limit) and cache or pre-aggregate the data' : ': cache or pre-aggregate the data it reads';
				add(severity, 'commands', `command /${command.command} p95 ${ms(command.p95Ms)}${hint}`);
			} else if (command.maxMs > respWarn * 2 && command.runs >= 3) {
				add('INFO', 'commands', `command /${command.command} took ${ms(command.maxMs)} at worst`);
			}
			if (command.runs >= 5 && command.successRate < 95) {
				const top = Object.entries(command.errorTypes).sort((a, b) => b[1] - a[1])[0];
				add(command.successRate < 80 ? 'CRITICAL' : 'WARNING', 'commands', `command /${command.command} fails ${pct(100 - command.successRate)} of runs (${command.failures}/${command.runs})${top ? `, mostly ${top[0]}` : ''}`);
			}
		}

		const errors = input.errors;
		if (errors) {
			const severity = level(errors.perMinute, t.errorsPerMinute);
			if (severity) {
				const source = Object.entries(errors.bySource).sort((a, b) => b[1] - a[1])[0]?.[0];
				const last = errors.lastError?.message ? `; last: ${errors.lastError.message.slice(0, 120)}` : '';
				add(severity, 'errors', `${errors.perMinute.toFixed(1)} errors/min${source ? `, mostly from ${source}` : ''}${last}`);
			}
		}

		const order: Record<Severity, number> = { CRITICAL: 0, WARNING: 1, INFO: 2 };
		return out.sort((a, b) => order[a.severity] - order[b.severity]);
	}
}
