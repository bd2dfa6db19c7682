import type { APIEmbed } from 'discord.js';
import type { DiscordSandbox, RecordedRequest } from '../../../sandbox/index.js';
import { StatsStore } from '#lib/stats/StatsStore.js';
import { databaseTarget } from '#lib/stats/databaseTarget.js';
import type { Stack } from './stack.js';

/** What a /guildstats answer looked like on the wire. */
export interface CommandAnswer {
	request: RecordedRequest;
	embed: APIEmbed | undefined;
	content: string;
	png: Buffer | undefined;
	ephemeral: boolean;
}

export interface Invocation {
	guildId: string;
	channelId: string;
	userId: string;
	subcommand: string;
	subcommandGroup?: string;
	options?: Record<string, string | number | boolean>;
}

function answerOf(request: RecordedRequest): CommandAnswer {
	const body = (request.body ?? {}) as { data?: Record<string, unknown> } & Record<string, unknown>;
	// Interaction callbacks wrap the message in `data`; webhook edits and followups are the message.
	const message = (request.route.includes('/callback') ? body.data : body) as { embeds?: APIEmbed[]; content?: string; flags?: number } | undefined;
	const png = request.files.find((file) => file.name.endsWith('.png'))?.data;
	return {
		request,
		embed: message?.embeds?.[0],
		content: message?.content ?? '',
		png: png ? Buffer.from(png) : undefined,
		ephemeral: ((message?.flags ?? 0) & 64) !== 0
	};
}

/** Runs /guildstats and resolves with its first answer that carries content (not the bare defer). */
export async function guildstats(sandbox: DiscordSandbox, invocation: Invocation, timeoutMs = 20_000): Promise<CommandAnswer> {
	const handle = sandbox.interact({ ...invocation, command: 'guildstats' });
	return answerOf(await handle.waitForResponse(undefined, timeoutMs));
}

/** The number in an embed field ("12,345" or "12,345 (▲ 4 %)" -> 12345). */
export function fieldNumber(embed: APIEmbed | undefined, name: string): number {
	const field = embed?.fields?.find((entry) => entry.name === name);
	if (!field) throw new Error(`no field ${name} in ${JSON.stringify(embed?.fields?.map((entry) => entry.name))}`);
	return Number(field.value.replace(/ \(.*\)$/, '').replace(/,/g, ''));
}

/** The change vs the previous period an embed field shows ("▲ 12 %", "new"), or null. */
export function fieldChange(embed: APIEmbed | undefined, name: string): string | null {
	const field = embed?.fields?.find((entry) => entry.name === name);
	if (!field) throw new Error(`no field ${name} in ${JSON.stringify(embed?.fields?.map((entry) => entry.name))}`);
	return / \((.*)\)$/.exec(field.value)?.[1] ?? null;
}

/** Opens the bot's statistics store from the test process (another connection to the same database). */
export function openStore(stack: Stack, databaseUrl?: string): Promise<StatsStore> {
	return StatsStore.open({ ...databaseTarget(databaseUrl), sqlitePath: stack.bot.env.SQLITE_PATH! });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns true (the bot flushes on its own timer). */
/** Reads until `ok` holds or the time is up, and returns the last value read (the test asserts on it). */
export async function readUntil<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (ok(value) || Date.now() > until) return value;
		await sleep(250);
	}
}

export async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000, everyMs = 200): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await sleep(everyMs);
	}
}
