import type { DiscordSnapshot } from '#lib/monitoring/DiscordSampler.js';
import type { ProcessSnapshot } from '#lib/monitoring/ProcessSampler.js';
import type { SystemSnapshot } from '#lib/monitoring/SystemSampler.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

function merge<T>(base: T, patch: DeepPartial<T> | undefined): T {
	if (!patch) return base;
	const out = { ...base } as Record<string, unknown>;
	for (const [key, value] of Object.entries(patch)) {
		const current = out[key];
		out[key] = value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' ? merge(current, value as never) : value;
	}
	return out as T;
}

/** A healthy host; tests override the fields they are about. */
export function systemSnapshot(patch?: DeepPartial<SystemSnapshot>): SystemSnapshot {
	return merge<SystemSnapshot>(
		{
			at: 0,
			windowMs: 30_000,
			cpu: { usagePercent: 12, userPercent: 9, systemPercent: 3, iowaitPercent: 0, stealPercent: 0, cores: 4, model: 'Test CPU', speedMHz: { avg: 2600, min: 2600, max: 2600 }, loadAverage: [0.4, 0.3, 0.2], loadPerCore: 0.1 },
			memory: { totalBytes: 8e9, availableBytes: 6e9, usedBytes: 2e9, usedPercent: 25, swapTotalBytes: 0, swapUsedBytes: 0, swapPercent: 0, limitBytes: null, rssPercentOfLimit: null, effectivePercent: 25 },
			disk: { mounts: [{ path: '/', totalBytes: 100e9, usedBytes: 40e9, usedPercent: 40 }], maxUsedPercent: 40, readBytesPerSec: 0, writeBytesPerSec: 0, readOpsPerSec: 0, writeOpsPerSec: 0 },
			network: { rxBytesPerSec: 1000, txBytesPerSec: 1000, errorsPerSec: 0, rxTotalBytes: 1e6, txTotalBytes: 1e6, interfaces: 1 }
		},
		patch
	);
}

export function processSnapshot(patch?: DeepPartial<ProcessSnapshot>): ProcessSnapshot {
	const kind = () => ({ count: 0, pauseMs: 0 });
	return merge<ProcessSnapshot>(
		{
			at: 0,
			windowMs: 30_000,
			uptimeSeconds: 3600,
			memory: { rssBytes: 150e6, heapUsedBytes: 60e6, heapTotalBytes: 80e6, heapLimitBytes: 4e9, heapPercentOfLimit: 1.5, externalBytes: 5e6, arrayBuffersBytes: 1e6 },
			cpuPercentOfCore: 2,
			threads: 11,
			openFds: 30,
			eventLoop: { delayP50Ms: 0.5, delayP99Ms: 4, delayMaxMs: 9, delayMeanMs: 0.8, utilization: 0.05, resolutionMs: 50 },
			gc: { count: 3, pauseMs: 4, byKind: { minor: { count: 3, pauseMs: 4 }, major: kind(), incremental: kind(), weakcb: kind(), other: kind() } },
			handles: { total: 5, byType: { TCPSocketWrap: 2, Timeout: 3 } }
		},
		patch
	);
}

export function discordSnapshot(patch?: DeepPartial<DiscordSnapshot>): DiscordSnapshot {
	return merge<DiscordSnapshot>(
		{
			at: 0,
			shards: [{ id: 0, pingMs: 45, status: 'READY', ready: true }],
			shardCount: 1,
			shardsReady: 1,
			gatewayLatencyMs: { max: 45, avg: 45, worstShard: 0 },
			guilds: 12,
			users: 3400,
			channels: 180,
			uptimeMs: 3_600_000,
			commandsServed: 50,
			commandsPerMinute: 1,
			rest: {
				windowMs: 300_000,
				count: 40,
				p50Ms: 60,
				p95Ms: 110,
				maxMs: 150,
				uploads: { count: 2, p95Ms: 400 },
				reachability: 'reachable',
				lastSuccessAt: 0,
				lastFailureAt: null,
				lastFailure: null,
				consecutiveFailures: 0,
				responses: { ok: 40, clientError: 0, rateLimited: 0, serverError: 0, networkError: 0 }
			}
		},
		patch
	);
}
