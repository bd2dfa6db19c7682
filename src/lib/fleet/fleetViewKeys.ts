/**
 * Redis keys of the fleet view, under the queue name like every other fleet key
 * (`nexus:<TASKS_QUEUE>:…`), so separate fleets sharing a Redis never mix.
 */
export interface FleetViewKeys {
	/** Hash: field = shard id, value = that process's ShardSnapshot JSON. */
	snapshots: string;
	/** String with a TTL: the shard's Prometheus text exposition. */
	metrics: (shard: number | string) => string;
}

export function fleetViewKeys(queue: string): FleetViewKeys {
	const base = `nexus:${queue}:fleet`;
	return { snapshots: base, metrics: (shard) => `${base}:metrics:${shard}` };
}
