import { container } from '@sapphire/framework';
import { config as loadDotenv } from 'dotenv';
import { formatConfigProblems, loadConfig } from '#root/config.js';

// .env is optional: under pm2 or a container the environment is usually set directly.
loadDotenv({ quiet: true });

const result = loadConfig(process.env);
if (!result.ok) {
	// One message with every problem, before anything connects anywhere.
	process.stderr.write(`${formatConfigProblems(result.problems)}\n`);
	process.exit(1);
}

const { boot } = await import('#lib/boot.js');
await boot(result.config).catch((error: unknown) => {
	container.logger?.fatal?.('Boot failed:', error);
	process.stderr.write(`Nexus failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
