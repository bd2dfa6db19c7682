import { fetchGatewayBot, GatewayBotError } from './fetchGatewayBot.js';

export interface ShardPlan {
	totalShards: number;
	maxConcurrency: number;
}

export interface ResolveShardPlanOptions {
	/** SHARD_COUNT: a number, 'auto' or unset (= auto). */
	shardCount: number | 'auto' | undefined;
	apiUrl?: string;
	token: string;
	log: { info: (message: string) => void; warn: (message: string) => void };
	/** Stop retrying when this turns true (a signal arrived); resolves undefined then. */
	stopped?: () => boolean;
	fetchGatewayBot?: typeof fetchGatewayBot;
	sleep?: (ms: number) => Promise<void>;
}

/**
 * How many shards to run and how many may identify at once. With a fixed SHARD_COUNT, Discord is
 * asked once for the identify concurrency (1 if it does not answer: slower start, never wrong);
 * with auto, the recommended count is required, so Discord is asked until it answers (capped
 * backoff) or the token turns out to be invalid.
 */
export async function resolveShardPlan(options: ResolveShardPlanOptions): Promise<ShardPlan | undefined> {
	const fetchInfo = options.fetchGatewayBot ?? fetchGatewayBot;
	const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
	const ask = () => fetchInfo({ apiUrl: options.apiUrl, token: options.token });
	if (typeof options.shardCount === 'number') {
		try {
			const info = await ask();
			return { totalShards: options.shardCount, maxConcurrency: info.maxConcurrency };
		} catch (error) {
			if (error instanceof GatewayBotError && error.fatal) throw error;
			options.log.warn(`${(error as Error).message}; identifying one shard at a time.`);
			return { totalShards: options.shardCount, maxConcurrency: 1 };
		}
	}
	for (let attempt = 0; !options.stopped?.(); attempt++) {
		try {
			const info = await ask();
			options.log.info(`SHARD_COUNT=auto: Discord recommends ${info.shards} shard(s), max_concurrency ${info.maxConcurrency}.`);
			return { totalShards: info.shards, maxConcurrency: info.maxConcurrency };
		} catch (error) {
			if (error instanceof GatewayBotError && error.fatal) throw error;
			const waitMs = Math.min(1000 * 2 ** attempt, 30_000);
			options.log.warn(`SHARD_COUNT=auto: ${(error as Error).message}; asking again in ${waitMs} ms.`);
			await sleep(waitMs);
		}
	}
	return undefined;
}
