import type { DependencyKey } from './IncidentTracker.js';

/** The part of IncidentTracker the gateway watch needs. */
export interface GatewayIncidentSink {
	down(dependency: DependencyKey, error?: unknown): void;
	recovered(dependency: DependencyKey): void;
}

export const GATEWAY_DEPENDENCY = 'discord-gateway';

/**
 * The Discord gateway as one incident for this process: it is down while any of its shards is
 * disconnected (closed and reconnecting, or given up), and recovers when every such shard has
 * resumed or is ready again. The tracker's grace keeps ordinary resumes (under a second) silent.
 */
export class GatewayIncidents {
	private readonly lost = new Map<number, string>();

	public constructor(private readonly incidents: () => GatewayIncidentSink | undefined) {}

	/** A shard's connection closed; `reason` says how (close code, reconnecting, error). */
	public disconnected(shardId: number, reason: string): void {
		this.lost.set(shardId, reason);
		this.incidents()?.down(GATEWAY_DEPENDENCY, `shard ${shardId}: ${reason}`);
	}

	/** A connection error while a shard is already down counts towards the incident; otherwise it is not a disconnection by itself. */
	public error(shardId: number, error: unknown): void {
		if (!this.lost.has(shardId)) return;
		const message = error instanceof Error ? error.message : String(error);
		this.incidents()?.down(GATEWAY_DEPENDENCY, `shard ${shardId}: ${message}`);
	}

	/** A shard resumed or identified again. */
	public connected(shardId: number): void {
		if (!this.lost.delete(shardId)) return;
		if (this.lost.size === 0) this.incidents()?.recovered(GATEWAY_DEPENDENCY);
	}

	public get disconnectedShards(): number[] {
		return [...this.lost.keys()];
	}
}
