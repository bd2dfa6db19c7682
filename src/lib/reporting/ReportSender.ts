import { Routes, type REST } from 'discord.js';
import { classifySendError, type SendFailure } from './classifySendError.js';
import { messageLimitProblems, type MessageBody, type OutgoingFile } from './messageLimits.js';

export type SendOutcome = 'ok' | SendFailure;

export interface SendResult {
	outcome: SendOutcome;
	/** Round trip of the whole send (including discord.js's own waits and retries). */
	ms: number;
	/** 'sent' or the classified failure, e.g. `unknown channel (10003)`, `timeout after 5000 ms`. */
	reason: string;
	status?: number;
	code?: number | string;
	retryAfterMs?: number;
	/** False when the request certainly never reached Discord. */
	reachedDiscord?: boolean;
	messageId?: string;
}

export interface ReportSenderOptions {
	/** Upper bound for one send, on top of discord.js's per-attempt timeout. Default 15 s. */
	timeoutMs?: number;
}

/**
 * Posts one packed message with discord.js REST (which honours 429 Retry-After and per-route
 * buckets) and turns every outcome into a SendResult instead of an exception. Every body goes out
 * with `allowed_mentions: { parse: [] }` (reports never ping), and a body that would break a
 * Discord limit is refused locally: invalid requests count towards Discord's IP ban.
 */
export class ReportSender {
	private readonly timeoutMs: number;

	public constructor(
		private readonly rest: REST,
		options: ReportSenderOptions = {}
	) {
		this.timeoutMs = options.timeoutMs ?? 15_000;
	}

	public async send(channelId: string, message: { body: MessageBody; files: readonly OutgoingFile[] }, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<SendResult> {
		const begin = performance.now();
		const elapsed = () => Math.round(performance.now() - begin);
		const body: MessageBody = { ...message.body, allowed_mentions: { parse: [] } };
		const problems = messageLimitProblems(body, message.files);
		if (problems.length) return { outcome: 'rejected', ms: 0, reason: `not sent, breaks Discord limits: ${problems.slice(0, 3).join('; ')}` };

		const timeoutMs = options.timeoutMs ?? this.timeoutMs;
		const controller = new AbortController();
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			controller.abort();
		}, timeoutMs);
		const onAbort = () => controller.abort();
		if (options.signal?.aborted) controller.abort();
		else options.signal?.addEventListener('abort', onAbort, { once: true });
		try {
			const files = message.files.map((file) => ({ name: file.name, data: file.data, contentType: file.contentType }));
			const result = (await this.rest.post(Routes.channelMessages(channelId), { body, files: files.length ? files : undefined, signal: controller.signal })) as { id?: string } | undefined;
			return { outcome: 'ok', ms: elapsed(), reason: 'sent', messageId: result?.id };
		} catch (error) {
			const classified = classifySendError(error);
			if (controller.signal.aborted && classified.outcome === 'retryable') {
				classified.reason = timedOut ? `timeout after ${timeoutMs} ms` : 'aborted (shutting down)';
			}
			return { ...classified, ms: elapsed() };
		} finally {
			clearTimeout(timer);
			options.signal?.removeEventListener('abort', onAbort);
		}
	}
}
