export interface GatewayBotInfo {
	/** Discord's recommended shard count. */
	shards: number;
	/** session_start_limit.max_concurrency: shards that may IDENTIFY in the same 5 s window. */
	maxConcurrency: number;
}

export class GatewayBotError extends Error {
	public constructor(
		message: string,
		/** 401: the token is wrong, retrying cannot help. */
		public readonly fatal: boolean
	) {
		super(message);
		this.name = 'GatewayBotError';
	}
}

export interface FetchGatewayBotOptions {
	/** REST base without the version (DISCORD_API_URL); default https://discord.com/api. */
	apiUrl?: string;
	token: string;
	timeoutMs?: number;
	fetch?: typeof fetch;
}

/**
 * GET /v10/gateway/bot with the bot token: the shard count Discord recommends and the identify
 * concurrency. Asked by the manager itself because discord.js's helper always calls discord.com
 * (it ignores the REST base), which the sandbox and tests must never reach.
 */
export async function fetchGatewayBot(options: FetchGatewayBotOptions): Promise<GatewayBotInfo> {
	const base = (options.apiUrl ?? 'https://discord.com/api').replace(/\/+$/, '');
	const doFetch = options.fetch ?? fetch;
	let response: Response;
	try {
		response = await doFetch(`${base}/v10/gateway/bot`, {
			headers: { Authorization: `Bot ${options.token.replace(/^Bot\s+/i, '')}` },
			signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
		});
	} catch (error) {
		throw new GatewayBotError(`GET /gateway/bot failed: ${(error as Error)?.message ?? error}`, false);
	}
	if (response.status === 401) throw new GatewayBotError('GET /gateway/bot answered 401: DISCORD_TOKEN is invalid', true);
	if (!response.ok) throw new GatewayBotError(`GET /gateway/bot answered ${response.status}`, false);
	const body = (await response.json().catch(() => null)) as { shards?: unknown; session_start_limit?: { max_concurrency?: unknown } } | null;
	const shards = Number(body?.shards);
	if (!Number.isSafeInteger(shards) || shards < 1) throw new GatewayBotError('GET /gateway/bot returned no shard count', false);
	const concurrency = Number(body?.session_start_limit?.max_concurrency);
	return { shards, maxConcurrency: Number.isSafeInteger(concurrency) && concurrency >= 1 ? concurrency : 1 };
}
