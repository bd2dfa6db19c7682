import type { DependencyKey } from './IncidentTracker.js';

const CONNECTION_FAILURE = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b|Connection is closed|max retries per request|Stream isn't writeable/i;
const SCHEDULER_CONNECT = /\[ScheduledTaskPlugin\] Encountered an error when trying to connect to the Redis/;

/**
 * Which dependency an error log line is really about, when it is a connection failure of one:
 * the scheduled-tasks plugin logs every BullMQ connection retry as an error, and clients name the
 * address they could not reach. Such lines belong to that dependency's incident, not to
 * Diagnostics one by one. `addresses` maps a dependency to its "host:port" (e.g. redis).
 */
export function dependencyOfLogLine(message: string, error: unknown, addresses: Partial<Record<DependencyKey, string>>): DependencyKey | undefined {
	if (SCHEDULER_CONNECT.test(message)) return 'redis';
	const text = `${message}\n${errorText(error)}`;
	if (!CONNECTION_FAILURE.test(text)) return undefined;
	for (const [dependency, address] of Object.entries(addresses)) if (address && text.includes(address)) return dependency;
	// The plugin's other connection-shaped errors (worker, queue client) are Redis too.
	if (message.includes('[ScheduledTaskPlugin]') || /\b(ioredis|bullmq|redis)\b/i.test(text)) return 'redis';
	return undefined;
}

/** "host:port" of a redis:// or postgres:// URL, with the protocol's default port. */
export function addressOf(url: string | undefined): string | undefined {
	if (!url) return undefined;
	try {
		const parsed = new URL(url);
		const port = parsed.port || (parsed.protocol.startsWith('redis') ? '6379' : parsed.protocol.startsWith('postgres') ? '5432' : '');
		return port ? `${parsed.hostname}:${port}` : undefined;
	} catch {
		return undefined;
	}
}

function errorText(error: unknown): string {
	if (!error || typeof error !== 'object') return '';
	const { message, code, address, port } = error as { message?: unknown; code?: unknown; address?: unknown; port?: unknown };
	return [message, code, address !== undefined && port !== undefined ? `${String(address)}:${String(port)}` : undefined].filter((part) => part !== undefined).join(' ');
}
