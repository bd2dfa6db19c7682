import type { FleetHealth } from '#lib/monitoring/monitorTypes.js';
import { fleetLine, type FleetShard, type FleetSummary } from './summarizeFleet.js';

const MB = 1024 * 1024;
const round = (value: number | null, digits = 0) => (value === null ? null : Number(value.toFixed(digits)));

/**
 * The fleet part of the health report: per-shard latency and status and fleet totals, compact
 * enough for an embed. At most `maxShards` shards are listed, those with a problem first (stale,
 * not ready, slowest), so a large fleet's report still shows what needs attention.
 */
export function fleetHealth(summary: FleetSummary | undefined, options: { maxShards?: number } = {}): FleetHealth | undefined {
	if (!summary) return undefined;
	const max = options.maxShards ?? 25;
	const rank = (shard: FleetShard) => (shard.stale ? 0 : !shard.ready ? 1 : 2);
	const listed = [...summary.shards].sort((a, b) => rank(a) - rank(b) || (b.pingMs ?? -1) - (a.pingMs ?? -1) || a.shard - b.shard).slice(0, max);
	listed.sort((a, b) => a.shard - b.shard);
	return {
		shardCount: summary.shardCount,
		shardsReady: summary.ready,
		worstLatencyMs: summary.worstLatency?.pingMs ?? null,
		worstShard: summary.worstLatency?.shard ?? null,
		line: fleetLine(summary),
		details: {
			at: new Date(summary.at).toISOString(),
			shards: `${summary.ready}/${summary.shardCount} ready`,
			reporting: summary.reporting,
			missing: summary.missing,
			machines: summary.machines.map((machine) => ({ machine: machine.machine, status: machine.up ? 'UP' : 'DOWN', shards: machine.shards, ready: machine.ready, lastSeenS: round(machine.lastSeenMs / 1000, 1) })),
			worstLatency: summary.worstLatency ? { shard: summary.worstLatency.shard, ms: round(summary.worstLatency.pingMs) } : null,
			totals: { guilds: summary.totals.guilds, events: summary.totals.events, commands: summary.totals.commands, rssMB: round(summary.totals.rssBytes / MB, 1) },
			perShard: listed.map((shard) => ({
				shard: shard.shard,
				machine: shard.machine ?? null,
				status: shard.stale ? `${shard.status} (stale)` : shard.status,
				pingMs: round(shard.pingMs),
				guilds: shard.guilds,
				events: shard.events,
				commands: shard.commands,
				rssMB: round(shard.rssBytes / MB, 1),
				eventLoopP99Ms: round(shard.eventLoopP99Ms, 1),
				ageS: round(shard.ageMs / 1000, 1),
				pid: shard.pid
			})),
			...(summary.shards.length > listed.length ? { omittedShards: summary.shards.length - listed.length } : {})
		}
	};
}
