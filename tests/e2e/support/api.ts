import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { REPORT_CHANNEL_IDS, type Stack } from './stack.js';

/** A port nothing listens on right now (the OS picks it; we release it for the bot). */
export function freePort(host = '127.0.0.1'): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer().listen(0, host, () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
		server.on('error', reject);
	});
}

export interface ApiEnv {
	port: number;
	token: string;
	base: string;
	env: Record<string, string>;
}

/** API settings for a test bot: a free port on the default host (API_HOST left unset) and a random token. */
export async function apiEnv(): Promise<ApiEnv> {
	const port = await freePort();
	const token = `e2e-api-${randomBytes(16).toString('hex')}`;
	return { port, token, base: `http://127.0.0.1:${port}`, env: { API_PORT: String(port), API_TOKEN: token } };
}

export function bearer(token: string): Record<string, string> {
	return { Authorization: `Bearer ${token}` };
}

export interface Scrape {
	text: string;
	/** The families as the parser reads them (names and types). */
	families: ParsedFamily[];
	/**
	 * Every sample with its labels. parse-prometheus-text-format only understands unlabelled
	 * histograms (it folds every labelled series into one, labels dropped), and every series of ours
	 * has at least the `shard` label; so histograms are parsed untyped here, which keeps their
	 * `_bucket`, `_sum` and `_count` lines as plain labelled samples.
	 */
	series: ParsedFamily[];
}

/** Untyped parsing splits a labelled histogram into one family per run of lines: merge them by name. */
function mergeByName(families: ParsedFamily[]): ParsedFamily[] {
	const merged = new Map<string, ParsedFamily>();
	for (const family of families) {
		const existing = merged.get(family.name);
		if (existing) existing.metrics.push(...family.metrics);
		else merged.set(family.name, { ...family, metrics: [...family.metrics] });
	}
	return [...merged.values()];
}

export async function scrape(api: ApiEnv): Promise<Scrape> {
	const response = await fetch(`${api.base}/metrics`, { headers: bearer(api.token) });
	if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
	const text = await response.text();
	return { text, families: parsePrometheusTextFormat(text), series: mergeByName(parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'))) };
}

/** Sum of the samples named `name` (a histogram's `x_count`, say) whose labels include `match`. */
export function sampleSum(scraped: Scrape, name: string, match: Record<string, string> = {}): number {
	const family = scraped.series.find((entry) => entry.name === name);
	if (!family) return 0;
	return family.metrics.filter((sample) => Object.entries(match).every(([key, value]) => sample.labels?.[key] === value)).reduce((sum, sample) => sum + Number(sample.value ?? 0), 0);
}

/** The seeded guild, a plain text channel (not a report channel) and some members who are not the bot. */
export function trafficTargets(stack: Stack) {
	const guild = [...stack.sandbox.state.guilds.values()][0]!;
	const channels = [...guild.channelIds].map((id) => stack.sandbox.state.channels.get(id)!).filter((channel) => channel.type === 0 && !Object.values(REPORT_CHANNEL_IDS).includes(channel.id));
	const members = [...guild.members.keys()].filter((id) => id !== stack.sandbox.botUser.id);
	return { guildId: guild.id, channelIds: channels.map((channel) => channel.id), memberIds: members };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a truthy value (or throws the last failure after the timeout). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, stepMs = 200): Promise<T> {
	const until = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await check();
			if (value) return value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
		await sleep(stepMs);
	}
}
