import type { DiscordSandbox, RecordedRequest } from '../../../sandbox/index.js';
import { decodeReportMessage, type DecodedEvent } from '#lib/reporting/decodeReportMessage.js';

export const MESSAGE_ROUTE = 'POST /channels/:id/messages';

/** Every message POST the bot made (any status), optionally to one channel. */
export function messagePosts(sandbox: DiscordSandbox, channelId?: string): RecordedRequest[] {
	return sandbox.requests.filter((r) => r.route === MESSAGE_ROUTE && (channelId === undefined || r.path === `/channels/${channelId}/messages`));
}

export interface DeliveredEvent extends DecodedEvent {
	request: RecordedRequest;
	/** What the message shows of this event alone: its dense line, or its embed (as JSON), plus its JSON attachment entry. */
	text: string;
}

/** Report events delivered to a channel (successful posts only), in arrival order, with the request that carried each. */
export function delivered(sandbox: DiscordSandbox, channelId: string): DeliveredEvent[] {
	return messagePosts(sandbox, channelId)
		.filter((r) => r.status === 200)
		.flatMap((r) => {
			const texts = eventTexts(r);
			return decodeReportMessage(r.body as never, r.files).map((event) => ({ ...event, request: r, text: (texts.get(event.seq) ?? '') + (event.wire ? JSON.stringify(event.wire) : '') }));
		});
}

/** seq -> the text shown for that event in a report message. */
function eventTexts(r: RecordedRequest): Map<number, string> {
	const out = new Map<number, string>();
	for (const embed of (r.body as { embeds?: { footer?: { text?: string }; description?: string }[] }).embeds ?? []) {
		const footer = /^#(\d+) · /.exec(embed.footer?.text ?? '');
		if (footer) out.set(Number(footer[1]), JSON.stringify(embed));
		else for (const line of (embed.description ?? '').split('\n')) {
			const match = /^#(\d+) /.exec(line);
			if (match) out.set(Number(match[1]), line);
		}
	}
	return out;
}

/** The text a request carried: JSON body and the UTF-8 of its files. */
export function requestText(r: RecordedRequest): string {
	return JSON.stringify(r.body ?? null) + r.files.map((file) => file.data.toString('utf8')).join('\n');
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string, intervalMs = 50): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
