import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp dir, on a free port), so a test can
 * stop and start the database without touching the shared server on 5432. Runs as the `postgres`
 * user when the tests run as root (initdb refuses root).
 */
export interface ThrowawayPostgres {
	port: number;
	url: string;
	start(): void;
	/** Fast shutdown: open connections are terminated, new ones refused. */
	stop(): void;
	destroy(): void;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

function binDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
	const found = versions.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'pg_ctl')));
	if (!found) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
	return found;
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
	const bin = binDir();
	const port = await freePort();
	const base = mkdtempSync(join(tmpdir(), 'nexus-pg-'));
	const data = join(base, 'data');
	chmodSync(base, 0o777);
	const asRoot = process.getuid?.() === 0;
	const run = (tool: string, args: string[]) => {
		const command = asRoot ? 'runuser' : join(bin, tool);
		const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
		execFileSync(command, argv, { stdio: 'pipe', cwd: base });
	};
	run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
	const pg: ThrowawayPostgres = {
		port,
		url: `postgres://postgres@127.0.0.1:${port}/postgres`,
		start: () =>
			run('pg_ctl', ['-D', data, '-l', join(base, 'log'), '-w', '-o', `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']),
		stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
		destroy: () => {
			try {
				pg.stop();
			} catch {
				// Already stopped.
			}
			rmSync(base, { recursive: true, force: true });
		}
	};
	pg.start();
	return pg;
}
