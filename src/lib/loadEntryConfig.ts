import { fileURLToPath } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { formatConfigProblems, loadConfig, type Config } from '#root/config.js';

/**
 * The start of every entry point (index.ts, shard-manager.ts, rest-proxy.ts): run from the project
 * folder whatever the caller's cwd, so Sapphire finds package.json there and relative paths (.env,
 * ./data) mean the same under pm2, npm start or a test; read an optional .env (under pm2 or a
 * container the environment is usually set directly); then validate the config and, on bad input,
 * print every problem at once and exit 1, before anything connects anywhere.
 */
export function loadEntryConfig(): Config {
	process.chdir(fileURLToPath(new URL('../..', import.meta.url)));
	loadDotenv({ quiet: true });
	const result = loadConfig(process.env);
	if (!result.ok) {
		process.stderr.write(`${formatConfigProblems(result.problems)}\n`);
		process.exit(1);
	}
	return result.config;
}
