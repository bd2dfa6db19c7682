import type { ServerResponse } from 'node:http';

type JsonResponse = ServerResponse & { status(code: number): { json(data: unknown): void } };
type Log = { error: (...values: unknown[]) => void };

/** JSON that must never be cached by a proxy or browser (it is live data behind a token). */
export function sendJson(response: JsonResponse, status: number, body: unknown): void {
	response.setHeader('Cache-Control', 'no-store');
	response.status(status).json(body);
}

/**
 * Runs a route body; a failure is logged here and answered with a fixed message. The plugin's own
 * fallback would put the error's message in the response, which may name internals.
 */
export async function guarded(response: JsonResponse, log: Log, what: string, body: () => Promise<void> | void): Promise<void> {
	try {
		await body();
	} catch (error) {
		log.error(`API ${what} failed:`, error);
		if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
		else response.destroy();
	}
}
