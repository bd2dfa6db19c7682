/** Discord's epoch (2015-01-01T00:00:00Z); a snowflake's top 42 bits are ms since then. */
export const DISCORD_EPOCH = 1_420_070_400_000;

const LOW_BITS = 0x3f_ffff; // worker (5) + process (5) + increment (12) = 22 bits

/**
 * Builds a snowflake with a real timestamp part, so discord.js `createdAt` and REST bucketing
 * (which treats old message ids specially) behave as in production. With `sequence` given the
 * result is deterministic; without it the low 22 bits are random (fine for one-off ids).
 */
export function snowflake(timestampMs: number = Date.now(), sequence?: number): string {
	const low = sequence === undefined ? Math.floor(Math.random() * (LOW_BITS + 1)) : sequence & LOW_BITS;
	const since = BigInt(Math.max(0, Math.floor(timestampMs) - DISCORD_EPOCH));
	return ((since << 22n) | BigInt(low)).toString();
}

/** Epoch ms encoded in a snowflake. */
export function snowflakeTimestamp(id: string): number {
	return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

/** Shard that owns a guild: (guild_id >> 22) % shardCount, as Discord routes it. */
export function shardForGuild(guildId: string, shardCount: number): number {
	return Number((BigInt(guildId) >> 22n) % BigInt(Math.max(1, shardCount)));
}

/** Unique, increasing snowflakes for one sandbox (ids of messages, interactions, attachments). */
export class SnowflakeGenerator {
	private lastMs = 0;
	private increment = 0;

	public constructor(private readonly now: () => number = Date.now) {}

	/** Next id for "now"; strictly increasing even within one millisecond. */
	public next(): string {
		let ms = Math.floor(this.now());
		if (ms <= this.lastMs) {
			ms = this.lastMs;
			this.increment++;
			if (this.increment > LOW_BITS) {
				ms = ++this.lastMs;
				this.increment = 0;
			}
		} else {
			this.lastMs = ms;
			this.increment = 0;
		}
		return snowflake(ms, this.increment);
	}

	/** A unique id whose timestamp part is `timestampMs` (for users created "in the past"). */
	public at(timestampMs: number): string {
		this.pastCounter = (this.pastCounter + 1) & LOW_BITS;
		return snowflake(timestampMs, this.pastCounter);
	}

	private pastCounter = 0;
}
