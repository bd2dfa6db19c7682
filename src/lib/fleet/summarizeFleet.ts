import type { ShardSnapshot } from './ShardSnapshot.js';

export interface FleetShard extends ShardSnapshot {
	ageMs: number;
	/** No snapshot for more than `staleAfterIntervals` publish intervals: the process is dead, hung or cut off from Redis. */
	stale: boolean;
	ready: boolean;
}

export interface FleetSummary {
	at: number;
	/** Shards the fleet should have: the highest SHARD_COUNT among fresh snapshots. */
	shardCount: number;
	/** Shards with a fresh snapshot. */
	reporting: number;
	/** Fresh and READY. */
	ready: number;
	/** Shard ids below shardCount without a fresh snapshot (stale or never seen). */
	missing: number[];
	/** Worst gateway latency among fresh shards. */
	worstLatency: { shard: number; pingMs: number } | null;
	/** Sums over fresh shards (events and commands since each process started). */
	totals: { guilds: number; events: number; commands: number; rssBytes: number };
	/** Every known shard, fresh or stale, by id. */
	shards: FleetShard[];
	/**
	 * Shards grouped by the machine they last ran on. A machine whose every shard went stale is
	 * `up: false` (it stopped publishing: dead, hung or cut off), not silently absent.
	 */
	machines: FleetMachine[];
}

export interface FleetMachine {
	machine: string;
	up: boolean;
	shards: number[];
	/** Fresh and READY shards of this machine. */
	ready: number;
	/** Age of the machine's newest snapshot. */
	lastSeenMs: number;
}

export interface SummarizeOptions {
	now: number;
	/** Default 3: a snapshot older than 3 of its intervals is stale. */
	staleAfterIntervals?: number;
}

/** Pure: the fleet as the health report and the API show it, from the shards' snapshots. */
export function summarizeFleet(snapshots: readonly ShardSnapshot[], options: SummarizeOptions): FleetSummary {
	const factor = options.staleAfterIntervals ?? 3;
	// One entry per shard id: the newest wins (a respawned process overwrites the same field anyway).
	const byShard = new Map<number, ShardSnapshot>();
	for (const snapshot of snapshots) {
		const current = byShard.get(snapshot.shard);
		if (!current || current.ts < snapshot.ts) byShard.set(snapshot.shard, snapshot);
	}
	const shards: FleetShard[] = [...byShard.values()]
		.sort((a, b) => a.shard - b.shard)
		.map((snapshot) => {
			const ageMs = Math.max(0, options.now - snapshot.ts);
			const stale = ageMs > factor * snapshot.intervalMs || snapshot.status === 'STOPPED';
			return { ...snapshot, ageMs, stale, ready: !stale && snapshot.status === 'READY' };
		});
	const fresh = shards.filter((shard) => !shard.stale);
	// The fleet size as the live processes see it (an old, larger SHARD_COUNT lingers only in stale entries).
	const sizing = fresh.length ? fresh : shards;
	const shardCount = Math.max(0, ...sizing.map((shard) => shard.shardCount), ...sizing.map((shard) => shard.shard + 1));
	const freshIds = new Set(fresh.map((shard) => shard.shard));
	const missing: number[] = [];
	for (let id = 0; id < shardCount; id++) if (!freshIds.has(id)) missing.push(id);
	let worstLatency: FleetSummary['worstLatency'] = null;
	for (const shard of fresh) if (shard.pingMs !== null && (worstLatency === null || shard.pingMs > worstLatency.pingMs)) worstLatency = { shard: shard.shard, pingMs: shard.pingMs };
	const sum = (pick: (shard: FleetShard) => number) => fresh.reduce((total, shard) => total + pick(shard), 0);
	const byMachine = new Map<string, FleetShard[]>();
	for (const shard of shards) {
		const name = shard.machine ?? 'unnamed';
		byMachine.set(name, [...(byMachine.get(name) ?? []), shard]);
	}
	const machines: FleetMachine[] = [...byMachine]
		.map(([machine, list]) => ({
			machine,
			up: list.some((shard) => !shard.stale),
			shards: list.map((shard) => shard.shard),
			ready: list.filter((shard) => shard.ready).length,
			lastSeenMs: Math.min(...list.map((shard) => shard.ageMs))
		}))
		.sort((a, b) => a.shards[0]! - b.shards[0]!);
	return {
		at: options.now,
		shardCount,
		reporting: fresh.length,
		ready: fresh.filter((shard) => shard.ready).length,
		missing,
		worstLatency,
		totals: { guilds: sum((shard) => shard.guilds), events: sum((shard) => shard.events), commands: sum((shard) => shard.commands), rssBytes: sum((shard) => shard.rssBytes) },
		shards,
		machines
	};
}

/** One readable line for the health report, e.g. "Fleet: 3/3 shards ready · worst gateway 41 ms (shard 2) · 12 guilds". */
export function fleetLine(summary: FleetSummary): string {
	const parts = [`Fleet: ${summary.ready}/${summary.shardCount} shards ready`];
	if (summary.worstLatency) parts.push(`worst gateway ${Math.round(summary.worstLatency.pingMs)} ms (shard ${summary.worstLatency.shard})`);
	parts.push(`${summary.totals.guilds} guilds`);
	const down = summary.machines.filter((machine) => !machine.up);
	if (summary.machines.length > 1 || down.length) parts.push(`machines ${summary.machines.length - down.length}/${summary.machines.length} up`);
	for (const machine of down) parts.push(`machine ${machine.machine} DOWN (shard ${machine.shards.join(', ')}, silent ${Math.round(machine.lastSeenMs / 1000)} s)`);
	const downShards = new Set(down.flatMap((machine) => machine.shards));
	const missing = summary.missing.filter((id) => !downShards.has(id));
	if (missing.length) parts.push(`no recent snapshot from shard ${missing.join(', ')}`);
	const notReady = summary.shards.filter((shard) => !shard.stale && !shard.ready);
	if (notReady.length) parts.push(notReady.map((shard) => `shard ${shard.shard} ${shard.status.toLowerCase().replace(/_/g, ' ')}`).join(', '));
	return parts.join(' · ');
}
