import { createServer } from 'node:http';
import { proxyRequests } from '@discordjs/proxy';
import { REST } from 'discord.js';
import { loadEntryConfig } from '#lib/loadEntryConfig.js';

// One REST budget for the whole fleet (`pm2 start ecosystem.config.cjs --only nexus-rest-proxy`):
// every bot process with REST_PROXY_URL sends its Discord REST calls here, and this one process's
// @discordjs/rest queues them, so all of them together stay under Discord's global 50 requests/s
// and share per-route buckets. It forwards each caller's own Authorization header (no token here).
const config = loadEntryConfig();
if (!config.REST_PROXY_URL) {
	process.stderr.write('REST_PROXY_URL is required for the REST proxy: the address it listens on, e.g. REST_PROXY_URL=http://127.0.0.1:4480\n');
	process.exit(1);
}
const listenOn = new URL(config.REST_PROXY_URL);
const rest = new REST({ version: '10', ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}) });
const handle = proxyRequests(rest);
const server = createServer((req, res) => {
	Promise.resolve(handle(req, res)).catch((error: unknown) => {
		// A network failure towards Discord: the caller's discord.js treats a 5xx like Discord's own.
		process.stderr.write(`[rest-proxy] ${req.method} ${req.url?.split('?')[0]} failed: ${(error as Error)?.message ?? error}\n`);
		if (!res.headersSent) res.statusCode = 502;
		res.end();
	});
});
server.listen(Number(listenOn.port || 80), listenOn.hostname, () => {
	process.stdout.write(`[rest-proxy] listening on ${listenOn.origin}, forwarding to ${config.DISCORD_API_URL ?? 'https://discord.com/api'}\n`);
	process.send?.('ready');
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
