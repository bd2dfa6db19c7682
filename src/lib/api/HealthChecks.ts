/** One dependency probe: resolves when the dependency answers, throws (or rejects) with the reason otherwise. */
export type HealthProbe = () => Promise<unknown> | unknown;

export interface HealthCheckResult {
	ok: boolean;
	ms: number;
	/** Short reason when not ok (an error code or a fixed phrase, never a URL or credential). */
	error?: string;
}

export interface HealthResult {
	status: 'ok' | 'fail';
	/** Names of the failing checks, in declaration order. */
	failing: string[];
	checks: Record<string, HealthCheckResult>;
}

export interface RunHealthOptions {
	/** Each probe gets this long before it counts as failed. */
	timeoutMs: number;
	now?: () => number;
}

/**
 * Runs every probe in parallel, each bounded by its own timeout, so a hung dependency makes the
 * probe answer 503 quickly instead of hanging the orchestrator's liveness request.
 */
export async function runHealthChecks(probes: Record<string, HealthProbe>, options: RunHealthOptions): Promise<HealthResult> {
	const now = options.now ?? (() => performance.now());
	const entries = await Promise.all(
		Object.entries(probes).map(async ([name, probe]): Promise<[string, HealthCheckResult]> => {
			const started = now();
			let timer: NodeJS.Timeout | undefined;
			try {
				await Promise.race([
					Promise.resolve().then(probe),
					new Promise((_, reject) => {
						timer = setTimeout(() => reject(new HealthTimeout(options.timeoutMs)), options.timeoutMs);
					})
				]);
				return [name, { ok: true, ms: elapsed(started, now()) }];
			} catch (error) {
				return [name, { ok: false, ms: elapsed(started, now()), error: reasonOf(error) }];
			} finally {
				clearTimeout(timer);
			}
		})
	);
	const checks = Object.fromEntries(entries);
	const failing = entries.filter(([, result]) => !result.ok).map(([name]) => name);
	return { status: failing.length === 0 ? 'ok' : 'fail', failing, checks };
}

export class HealthTimeout extends Error {
	public constructor(ms: number) {
		super(`no answer within ${ms} ms`);
	}
}

function elapsed(from: number, to: number): number {
	return Math.round((to - from) * 10) / 10;
}

/** System error codes (ECONNREFUSED) say enough and hold no address; other messages are cut short. */
function reasonOf(error: unknown): string {
	const code = (error as { code?: unknown })?.code;
	if (typeof code === 'string' && /^[A-Z_]{3,40}$/.test(code)) return code;
	const message = error instanceof Error ? error.message : String(error);
	return message.replace(/\w+:\/\/\S+/g, '<url>').slice(0, 120) || 'failed';
}
