import { spawn, type ChildProcess } from 'node:child_process';

/** A redis-server of a test's own on `port` (no persistence), to kill and restart without touching the shared one. */
export function startRedis(port: number): Promise<ChildProcess> {
	const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
	return new Promise((resolve, reject) => {
		let output = '';
		const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
		proc.stdout!.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			if (/Ready to accept connections/.test(output)) (clearTimeout(timer), resolve(proc));
		});
		proc.once('exit', (code) => (clearTimeout(timer), reject(new Error(`redis-server exited with ${code}:\n${output}`))));
	});
}
