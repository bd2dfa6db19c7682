/** What each shard process publishes about itself every few seconds (compact: one hash field per shard). */
export interface ShardSnapshot {
	shard: number;
	/** Fleet size as this process knows it (SHARD_COUNT). */
	shardCount: number;
	/** The machine the process runs on (null from processes that predate machines). */
	machine?: string | null;
	pid: number;
	/** When this snapshot was taken, ms epoch. */
	ts: number;
	/** Publish interval: readers call a snapshot stale after a few missed intervals. */
	intervalMs: number;
	startedAt: number;
	/** Gateway status of the shard (READY, RECONNECTING, ...), STOPPING while draining, STOPPED after a clean stop. */
	status: string;
	/** Gateway heartbeat round trip; null before the first ack. */
	pingMs: number | null;
	guilds: number;
	/** Gateway dispatches received since the process started. */
	events: number;
	/** Slash commands served since the process started. */
	commands: number;
	rssBytes: number;
	/** p99 event-loop delay over the last process sample; null before the first sample. */
	eventLoopP99Ms: number | null;
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Parses one hash value; undefined for anything that is not a snapshot (never throws). */
export function parseShardSnapshot(json: string): ShardSnapshot | undefined {
	try {
		const value = JSON.parse(json) as Record<string, unknown>;
		const shard = num(value.shard);
		const ts = num(value.ts);
		if (shard === null || ts === null) return undefined;
		return {
			shard,
			shardCount: num(value.shardCount) ?? shard + 1,
			...(typeof value.machine === 'string' ? { machine: value.machine } : {}),
			pid: num(value.pid) ?? 0,
			ts,
			intervalMs: num(value.intervalMs) ?? 5000,
			startedAt: num(value.startedAt) ?? ts,
			status: typeof value.status === 'string' ? value.status : 'UNKNOWN',
			pingMs: num(value.pingMs),
			guilds: num(value.guilds) ?? 0,
			events: num(value.events) ?? 0,
			commands: num(value.commands) ?? 0,
			rssBytes: num(value.rssBytes) ?? 0,
			eventLoopP99Ms: num(value.eventLoopP99Ms)
		};
	} catch {
		return undefined;
	}
}
