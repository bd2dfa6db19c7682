import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../../scripts/support/botProcess.js';

const run = promisify(execFile);
const PM2 = join(ROOT, 'node_modules/.bin/pm2');

/** A real pm2 with its own PM2_HOME (daemon, logs) for one test file. */
export class Pm2Harness {
	public readonly home = mkdtempSync(join(tmpdir(), 'nexus-pm2-'));

	/** `env` is read at each call: the bot's environment is usually known only in beforeAll. */
	public constructor(private readonly env: () => Record<string, string>) {}

	public run(...args: string[]) {
		return run(PM2, args, { cwd: ROOT, env: { ...this.env(), PM2_HOME: this.home }, timeout: 60_000 });
	}

	public logs(): string {
		const logDir = join(this.home, 'logs');
		if (!existsSync(logDir)) return '';
		return readdirSync(logDir).map((file) => readFileSync(join(logDir, file), 'utf8')).join('\n');
	}

	public async waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
		const until = Date.now() + timeoutMs;
		while (!check()) {
			if (Date.now() > until) throw new Error(`Timed out waiting for ${what}. pm2 logs:\n${this.logs().slice(-3000)}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
}
