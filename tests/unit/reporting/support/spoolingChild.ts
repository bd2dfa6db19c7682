/**
 * Child process for the crash test: reports into an unreachable sandbox until every event is in
 * the spool, says SPOOLED, and waits to be SIGKILLed. Imports the reporter by path (run with tsx).
 */
import { REST } from 'discord.js';
import { Reporter } from '../../../../src/lib/reporting/Reporter.js';

const [apiUrl, spoolDir, countText] = process.argv.slice(2);
const count = Number(countText);
const reporter = new Reporter({
	rest: new REST({ api: apiUrl!, timeout: 2000 }).setToken('child-token'),
	channels: { diagnostics: '1419516681427882115', logs: '1419517784135700561', analytics: '1419858425424253039', performance: '1420213631030661130' },
	flushIntervalMs: 100,
	analyticsIntervalMs: 100,
	spoolDir: spoolDir!,
	spoolMaxBytes: 50 * 1024 * 1024,
	channelRetryMs: 600_000,
	secrets: [],
	backoffMinMs: 100,
	backoffMaxMs: 300,
	tickMs: 20,
	stderr: () => {}
});
reporter.start();
for (let i = 0; i < count; i++) {
	reporter.enqueue('logs', { event: 'crash.test', data: { i } });
	if (i % 1000 === 999) await new Promise((resolve) => setTimeout(resolve, 20));
}
const poll = setInterval(() => {
	if (reporter.snapshot().channels.logs.spool.events === count) {
		process.stdout.write('SPOOLED\n');
		clearInterval(poll);
	}
}, 10);
setInterval(() => {}, 60_000);
