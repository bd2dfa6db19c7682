import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DiscordSandbox } from '../../../sandbox/index.js';
import { CHANNELS, delivered, range, reporterFor, startReportingSandbox, tempDir, waitFor } from './support/reportingSandbox.js';

let sandbox: DiscordSandbox;
let tmp: ReturnType<typeof tempDir>;

beforeEach(async () => {
	sandbox = await startReportingSandbox();
	tmp = tempDir();
});
afterEach(async () => {
	await sandbox.stop();
	tmp.remove();
});

it('process SIGKILLed mid-outage: the next start replays the spool, every event once and in order', async () => {
	await sandbox.faults.outage();
	const script = fileURLToPath(new URL('./support/spoolingChild.ts', import.meta.url));
	const child = spawn(process.execPath, ['--import', 'tsx', script, sandbox.apiUrl, tmp.dir, '5000'], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
	let output = '';
	child.stdout.on('data', (chunk) => (output += chunk));
	const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
	await waitFor(() => output.includes('SPOOLED'), 15_000, 'the child to spool 5,000 events');
	child.kill('SIGKILL');
	expect(await exited).toBe('SIGKILL');

	await sandbox.faults.recover();
	const { reporter } = reporterFor(sandbox, tmp.dir);
	try {
		expect(reporter.snapshot().channels.logs.spool.events).toBe(5000);
		reporter.start();
		await waitFor(() => delivered(sandbox, CHANNELS.logs).length >= 5000, 10_000, 'the replay');
		await waitFor(() => !reporter.snapshot().channels.logs.backlog, 2000, 'the spool to empty');
		expect(delivered(sandbox, CHANNELS.logs).map((e) => e.seq)).toEqual(range(1, 5000));
		reporter.enqueue('logs', { event: 'after.restart' });
		expect(reporter.snapshot().seq).toBeGreaterThan(5000);
	} finally {
		await reporter.stop(AbortSignal.timeout(2000));
	}
}, 30_000);
