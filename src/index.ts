import { fileURLToPath } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { formatConfigProblems, loadConfig } from '#root/config.js';

// Run from the project folder whatever the caller's cwd: Sapphire finds package.json (ESM, pieces
// root) there, and relative paths (.env, ./data) mean the same under pm2, npm start or a test.
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

// .env is optional: under pm2 or a container the environment is usually set directly.
loadDotenv({ quiet: true });

const result = loadConfig(process.env);
if (!result.ok) {
	// One message with every problem, before anything connects anywhere.
	process.stderr.write(`${formatConfigProblems(result.problems)}\n`);
	process.exit(1);
}

// Imported only now, after chdir: Sapphire reads package.json from the cwd when its modules load.
// setup.ts first: plugin registration and everything else that must precede the client.
const { setup } = await import('#lib/setup.js');
const { boot } = await import('#lib/boot.js');
const { Redactor } = await import('#lib/reporting/Redactor.js');
const redactor = new Redactor(result.config.secrets);
await setup(result.config)
	.then((plan) => boot(result.config, plan))
	.catch((error: unknown) => {
		process.stderr.write(`Nexus failed to start: ${redactor.redact(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
		process.exit(1);
	});
