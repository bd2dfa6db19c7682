import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REST } from 'discord.js';
import { afterEach, beforeEach } from 'vitest';
import { DiscordSandbox, seedGuild, type RecordedRequest, type SandboxOptions } from '../../../../sandbox/index.js';
import type { ReportChannelName } from '#root/config.js';
import { decodeReportMessage, type DecodedEvent } from '#lib/reporting/decodeReportMessage.js';
import { Reporter, type ReporterOptions } from '#lib/reporting/Reporter.js';

/** The config's default report channel ids; the sandbox guild gets text channels with these ids. */
export const CHANNELS: Record<ReportChannelName, string> = {
	diagnostics: '1419516681427882115',
	logs: '1419517784135700561',
	analytics: '1419858425424253039',
	performance: '1420213631030661130'
};
/** A channel id that exists nowhere (404 10003). */
export const MISSING_CHANNEL = '1419999999999999999';
export const BOT_TOKEN = 'MTQxOTUxNjY4MTQyNzg4MjExNQ.GhT9zQ.a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9';

/** Real time plus an offset the test can advance: backoff, flush intervals and channel retries without sleeping. */
export class TestClock {
	public offset = 0;
	public readonly now = () => Date.now() + this.offset;
	public advance(ms: number): void {
		this.offset += ms;
	}
}

export async function startReportingSandbox(options: SandboxOptions = {}): Promise<DiscordSandbox> {
	return DiscordSandbox.start({
		guilds: [seedGuild({ members: 5, textChannels: 1, voiceChannels: 0, categories: 0, extraChannels: Object.entries(CHANNELS).map(([name, id]) => ({ id, name: `nexus-${name}` })) })],
		...options
	});
}

export function restFor(sandbox: DiscordSandbox, options: { timeout?: number } = {}): REST {
	return new REST({ api: sandbox.apiUrl, timeout: options.timeout ?? 5000 }).setToken(BOT_TOKEN);
}

export function tempDir(): { dir: string; remove: () => void } {
	const dir = mkdtempSync(join(tmpdir(), 'nexus-reporter-'));
	return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function reporterFor(sandbox: DiscordSandbox, dir: string, extra: Partial<ReporterOptions> = {}): { reporter: Reporter; stderr: string[]; rest: REST } {
	const stderr: string[] = [];
	const rest = extra.rest ?? restFor(sandbox);
	const reporter = new Reporter({
		rest,
		channels: { ...CHANNELS },
		flushIntervalMs: 200,
		analyticsIntervalMs: 200,
		spoolDir: dir,
		spoolMaxBytes: 50 * 1024 * 1024,
		channelRetryMs: 600_000,
		secrets: [BOT_TOKEN],
		backoffMinMs: 100,
		backoffMaxMs: 500,
		tickMs: 20,
		stderr: (line) => stderr.push(line),
		...extra
	});
	return { reporter, stderr, rest };
}

export function messagePosts(sandbox: DiscordSandbox, channelId?: string): RecordedRequest[] {
	return sandbox.requests.filter((r) => r.route === 'POST /channels/:id/messages' && (channelId === undefined || r.path === `/channels/${channelId}/messages`));
}

/** Every event delivered to a channel, in arrival order (successful posts only). */
export function delivered(sandbox: DiscordSandbox, channelId: string): DecodedEvent[] {
	return messagePosts(sandbox, channelId)
		.filter((r) => r.status === 200)
		.flatMap((r) => decodeReportMessage(r.body as never, r.files));
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

export const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

export interface ReporterHarness {
	readonly sandbox: DiscordSandbox;
	readonly tmp: { dir: string; remove: () => void };
	readonly clock: TestClock;
	/** A reporter on this test's sandbox and spool dir, stopped after the test. */
	make(extra?: Partial<ReporterOptions>): ReturnType<typeof reporterFor>;
	/** The test stopped this reporter itself: not stopped again after the test. */
	forget(reporter: Reporter): void;
}

/**
 * Per test: a fresh sandbox on a TestClock and a temp spool dir; every reporter made is stopped after it.
 * `reporterClock`: reporters run on the test clock too (otherwise only when a test passes `now`).
 */
export function useReporterSandbox(options: { reporterClock: boolean }): ReporterHarness {
	let sandbox: DiscordSandbox;
	let tmp: ReturnType<typeof tempDir>;
	let clock: TestClock;
	const reporters: Reporter[] = [];
	beforeEach(async () => {
		clock = new TestClock();
		sandbox = await startReportingSandbox({ now: clock.now });
		tmp = tempDir();
	});
	afterEach(async () => {
		for (const reporter of reporters.splice(0)) await reporter.stop(AbortSignal.timeout(2000));
		await sandbox.stop();
		tmp.remove();
	});
	return {
		get sandbox() {
			return sandbox;
		},
		get tmp() {
			return tmp;
		},
		get clock() {
			return clock;
		},
		make(extra = {}) {
			const made = reporterFor(sandbox, tmp.dir, options.reporterClock ? { now: clock.now, ...extra } : extra);
			reporters.push(made.reporter);
			return made;
		},
		forget(reporter) {
			reporters.splice(reporters.indexOf(reporter), 1);
		}
	};
}
