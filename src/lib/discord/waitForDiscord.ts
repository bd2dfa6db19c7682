import { fetchGatewayBot, GatewayBotError } from '#lib/fleet/fetchGatewayBot.js';

export interface WaitForDiscordOptions {
	/** REST base without the version (DISCORD_API_URL); default https://discord.com/api. */
	apiUrl?: string;
	token: string;
	log: { info: (message: string) => void; warn: (message: string) => void };
	/** Stop waiting when this turns true (shutdown began): resolves false then. */
	stopped: () => boolean;
	/** Longest pause between two probes. Default 30 s. */
	maxDelayMs?: number;
	fetchGatewayBot?: typeof fetchGatewayBot;
	sleep?: (ms: number) => Promise<void>;
	now?: () => number;
}

/**
 * Resolves true once Discord answers GET /gateway/bot, probing with capped exponential backoff.
 * The bot logs in only after this: a login that fails is not safely repeatable (Sapphire re-runs
 * its plugin hooks and loads every store again; discord.js destroys the client). The outage is
 * one warning when it starts and one line when it ends, however long it lasts. A 401 (wrong
 * token) throws at once: waiting cannot fix it.
 */
export async function waitForDiscord(options: WaitForDiscordOptions): Promise<boolean> {
	const probe = options.fetchGatewayBot ?? fetchGatewayBot;
	const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
	const now = options.now ?? Date.now;
	const maxDelayMs = options.maxDelayMs ?? 30_000;
	let since: number | undefined;
	let attempts = 0;
	for (let attempt = 0; !options.stopped(); attempt++) {
		try {
			await probe({ apiUrl: options.apiUrl, token: options.token });
			if (since !== undefined) options.log.info(`Discord answers again after ${Math.round((now() - since) / 1000)} s (${attempts} failed probe(s)); logging in.`);
			return true;
		} catch (error) {
			if (error instanceof GatewayBotError && error.fatal) throw error;
			attempts++;
			if (since === undefined) {
				since = now();
				options.log.warn(`Discord is unreachable at start (${(error as Error).message}); waiting for it to answer before logging in (probing with backoff up to ${Math.round(maxDelayMs / 1000)} s).`);
			}
			await sleep(Math.min(1000 * 2 ** attempt, maxDelayMs));
		}
	}
	return false;
}
