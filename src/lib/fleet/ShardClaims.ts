import type { Redis } from 'ioredis';

export interface ShardClaimsOptions {
	redis: Redis;
	/** Key prefix, e.g. `nexus:<queue>:shard-owner:`. */
	prefix: string;
	/** This machine (MACHINE_NAME or the host name): the value of its claims. */
	machine: string;
	/** A claim lapses this long after its machine stopped renewing it (a dead machine frees its shards). Default 30 s. */
	ttlMs?: number;
}

export class ShardOverlapError extends Error {
	public constructor(public readonly taken: { shard: number; machine: string }[]) {
		const byMachine = new Map<string, number[]>();
		for (const { shard, machine } of taken) byMachine.set(machine, [...(byMachine.get(machine) ?? []), shard]);
		super(
			`shard(s) already run by another machine: ${[...byMachine].map(([machine, shards]) => `${shards.join(', ')} on "${machine}"`).join('; ')}. ` +
				'Give each machine a disjoint SHARD_IDS (or SHARD_MACHINE_INDEX), or wait for a stopped machine\'s claims to lapse.'
		);
		this.name = 'ShardOverlapError';
	}
}

// Claims every key whose owner is absent or us, or none of them: all-or-nothing, so two launchers
// starting at once with overlapping ranges cannot each get half.
const CLAIM = `
local taken = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner and owner ~= ARGV[1] then table.insert(taken, i) ; table.insert(taken, owner) end
end
if #taken > 0 then return taken end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return {}
`;
const RELEASE = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) ; n = n + 1 end
end
return n
`;

/**
 * Which machine runs which shard, in Redis: `<prefix><shard>` = machine name with a TTL, renewed
 * by the launcher while it runs. A launcher claims its whole range at start and refuses to start on
 * overlap (ShardOverlapError names the other machine); a machine that dies stops renewing, and
 * its shards are free again after `ttlMs`. The same machine restarting takes its own claims over.
 */
export class ShardClaims {
	private readonly options: ShardClaimsOptions;
	private readonly ttlMs: number;
	private timer: NodeJS.Timeout | undefined;
	private claimed: number[] = [];

	public constructor(options: ShardClaimsOptions) {
		this.options = options;
		this.ttlMs = options.ttlMs ?? 30_000;
	}

	/** Claims `shards` for this machine (throws ShardOverlapError) and keeps renewing them. */
	public async claim(shards: readonly number[], onLost?: (error: Error) => void): Promise<void> {
		await this.claimOnce(shards);
		this.claimed = [...shards];
		clearInterval(this.timer);
		this.timer = setInterval(() => {
			this.claimOnce(this.claimed).catch((error: Error) => {
				// Another machine took a shard we run (our claim had lapsed, e.g. Redis was away): say so loudly.
				if (error instanceof ShardOverlapError) onLost?.(error);
			});
		}, Math.max(1000, Math.floor(this.ttlMs / 3)));
		this.timer.unref();
	}

	/** Stops renewing and frees this machine's claims (a clean stop: the shards may move at once). */
	public async release(): Promise<void> {
		clearInterval(this.timer);
		this.timer = undefined;
		if (!this.claimed.length) return;
		const keys = this.claimed.map((shard) => this.key(shard));
		this.claimed = [];
		await this.options.redis.eval(RELEASE, keys.length, ...keys, this.options.machine).catch(() => undefined);
	}

	/** Owner of each claimed shard among `shards` (shards nobody claims are absent). */
	public async owners(shards: readonly number[]): Promise<Map<number, string>> {
		if (!shards.length) return new Map();
		const values = await this.options.redis.mget(shards.map((shard) => this.key(shard)));
		return new Map(shards.flatMap((shard, index) => (values[index] ? [[shard, values[index]] as [number, string]] : [])));
	}

	private async claimOnce(shards: readonly number[]): Promise<void> {
		if (!shards.length) return;
		const keys = shards.map((shard) => this.key(shard));
		const taken = (await this.options.redis.eval(CLAIM, keys.length, ...keys, this.options.machine, String(this.ttlMs))) as (number | string)[];
		if (taken.length) {
			const pairs: { shard: number; machine: string }[] = [];
			for (let i = 0; i < taken.length; i += 2) pairs.push({ shard: shards[Number(taken[i]) - 1]!, machine: String(taken[i + 1]) });
			throw new ShardOverlapError(pairs);
		}
	}

	private key(shard: number): string {
		return `${this.options.prefix}${shard}`;
	}
}
