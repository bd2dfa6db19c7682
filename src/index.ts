import { loadEntryConfig } from '#lib/loadEntryConfig.js';

const config = loadEntryConfig();

// Imported only now, after chdir: Sapphire reads package.json from the cwd when its modules load.
// setup.ts first: plugin registration and everything else that must precede the client.
const { setup } = await import('#lib/setup.js');
const { boot } = await import('#lib/boot.js');
const { Redactor } = await import('#lib/reporting/Redactor.js');
const redactor = new Redactor(config.secrets);
await setup(config)
	.then((plan) => boot(config, plan))
	.catch((error: unknown) => {
		process.stderr.write(`Nexus failed to start: ${redactor.redact(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
		process.exit(1);
	});
