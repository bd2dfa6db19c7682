/** How this machine's share of the fleet is given (SHARD_IDS, or SHARD_MACHINE_INDEX with SHARD_MACHINE_COUNT). */
export interface MachineShareSettings {
	/** SHARD_IDS: "8-15", "0,2,4" or "0-3,8"; unset = decided by the machine index, or every shard. */
	shardIds?: string;
	/** SHARD_MACHINE_INDEX: a number from 0, or "hostname" for the ordinal at the end of the host name (Kubernetes StatefulSet pod `nexus-2` is 2). */
	machineIndex?: string;
	/** SHARD_MACHINE_COUNT: how many machines share the fleet. */
	machineCount?: number;
	hostname?: string;
}

export class ShardShareError extends Error {
	public constructor(
		public readonly variable: string,
		message: string
	) {
		super(`${variable} ${message}`);
		this.name = 'ShardShareError';
	}
}

/** Parses "8-15", "0,2,4", "0-3,8" into sorted distinct ids; throws ShardShareError naming the variable. */
export function parseShardIds(text: string): number[] {
	const ids = new Set<number>();
	for (const part of text.split(',').map((piece) => piece.trim())) {
		const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
		if (!match) throw new ShardShareError('SHARD_IDS', `must be shard ids and ranges such as 8-15 or 0,2,4 (got a part "${part.slice(0, 20)}")`);
		const from = Number(match[1]);
		const to = match[2] === undefined ? from : Number(match[2]);
		if (to < from) throw new ShardShareError('SHARD_IDS', `has a range that runs backwards (${from}-${to})`);
		if (to - from > 10_000) throw new ShardShareError('SHARD_IDS', `has a range too large (${from}-${to})`);
		for (let id = from; id <= to; id++) ids.add(id);
	}
	return [...ids].sort((a, b) => a - b);
}

/** The ordinal a StatefulSet gives its pods: the number after the last "-" of the host name. */
export function ordinalFromHostname(hostname: string): number {
	const match = /-(\d+)$/.exec(hostname);
	if (!match) throw new ShardShareError('SHARD_MACHINE_INDEX', `is "hostname", but the host name "${hostname.slice(0, 63)}" does not end in -<number> (a StatefulSet pod is named <set>-<ordinal>)`);
	return Number(match[1]);
}

/**
 * The shard ids this machine runs, out of `totalShards`: SHARD_IDS as given, or machine `index` of
 * `count` getting a contiguous slice (as even as possible: 10 shards on 3 machines are 0-3, 4-6, 7-9),
 * or every shard. Every mistake is a ShardShareError naming the variable.
 */
export function machineShards(totalShards: number, settings: MachineShareSettings): number[] {
	if (settings.shardIds !== undefined) {
		if (settings.machineIndex !== undefined) throw new ShardShareError('SHARD_IDS', 'and SHARD_MACHINE_INDEX both set: give the machine\'s share one way');
		const ids = parseShardIds(settings.shardIds);
		const outside = ids.filter((id) => id >= totalShards);
		if (outside.length) throw new ShardShareError('SHARD_IDS', `names shard ${outside.slice(0, 5).join(', ')}, but the fleet has ${totalShards} shard(s) (ids 0-${totalShards - 1})`);
		return ids;
	}
	if (settings.machineIndex !== undefined) {
		const count = settings.machineCount;
		if (count === undefined) throw new ShardShareError('SHARD_MACHINE_COUNT', 'is required with SHARD_MACHINE_INDEX (how many machines share the fleet)');
		const index = settings.machineIndex === 'hostname' ? ordinalFromHostname(settings.hostname ?? '') : Number(settings.machineIndex);
		if (!Number.isSafeInteger(index) || index < 0) throw new ShardShareError('SHARD_MACHINE_INDEX', 'must be a whole number from 0, or "hostname"');
		if (index >= count) throw new ShardShareError('SHARD_MACHINE_INDEX', `is ${index}, but SHARD_MACHINE_COUNT is ${count} (indexes 0-${count - 1})`);
		if (count > totalShards) throw new ShardShareError('SHARD_MACHINE_COUNT', `is ${count}, more machines than the fleet's ${totalShards} shard(s)`);
		const from = Math.floor((index * totalShards) / count);
		const to = Math.floor(((index + 1) * totalShards) / count);
		return [...Array(to - from).keys()].map((offset) => from + offset);
	}
	return [...Array(totalShards).keys()];
}

/** "0-3, 8" for logs. */
export function describeShardIds(ids: readonly number[]): string {
	const parts: string[] = [];
	for (let i = 0; i < ids.length; ) {
		let j = i;
		while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
		parts.push(i === j ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
		i = j + 1;
	}
	return parts.join(', ');
}
