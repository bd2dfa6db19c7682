/**
 * Redis keys of the fleet view, under the queue name like every other fleet key
 * (`nexus:<TASKS_QUEUE>:…`), so separate fleets sharing a Redis never mix.
 */
export interface FleetViewKeys {
	/** Hash: field = shard id, value = that process's ShardSnapshot JSON. */
	snapshots: string;
	/** String with a TTL: the shard's Prometheus text exposition. */
	metrics: (shard: number | string) => string;
	/** Hash: field = shard id, value = `{ ts, value }` with that process's error-rate window. */
	errors: string;
	/** Hash: field = shard id, value = `{ ts, value }` with the latest system reading of that process's machine. */
	machines: string;
	/** List: command windows waiting for the fleet-wide command analyzer. */
	commandWindows: string;
	/** Hash: field = alert key, value = the fleet-wide alert's state (AlertState JSON). */
	alerts: string;
}

export function fleetViewKeys(queue: string): FleetViewKeys {
	const base = `nexus:${queue}:fleet`;
	return { snapshots: base, metrics: (shard) => `${base}:metrics:${shard}`, errors: `${base}:errors`, machines: `${base}:machines`, commandWindows: `${base}:commands`, alerts: `${base}:alerts` };
}
