import type { ServiceRegistry, StopReport } from '#lib/ServiceRegistry.js';

export interface ShutdownDeps {
	services: ServiceRegistry;
	/** Stop taking new work (commands answer "restarting", listeners keep counting). */
	beginDraining: () => void;
	destroyClient: () => Promise<void>;
	log: { info: (message: string) => void; error: (message: string) => void; flush?: () => void };
	deadlineMs: number;
	exit?: (code: number) => never;
}

/**
 * SIGTERM/SIGINT: drain, stop services in reverse start order within one deadline, destroy the
 * client, exit 0. A second signal exits at once (an operator pressing Ctrl+C twice means it).
 * The deadline is kept well under pm2's kill_timeout (ecosystem.config.cjs) so pm2 never SIGKILLs
 * a flushing process.
 */
export class GracefulShutdown {
	private shuttingDown = false;

	public constructor(private readonly deps: ShutdownDeps) {}

	public get inProgress(): boolean {
		return this.shuttingDown;
	}

	public install(): void {
		for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void this.run(signal));
		// pm2 sends a 'shutdown' message instead of a signal to apps with shutdown_with_message (ours use SIGINT).
		process.on('message', (message) => {
			if (message === 'shutdown') void this.run('message:shutdown');
		});
	}

	public async run(reason: string): Promise<StopReport[]> {
		const exit = this.deps.exit ?? ((code: number) => process.exit(code));
		if (this.shuttingDown) {
			this.deps.log.error(`Second ${reason} during shutdown: exiting now.`);
			this.deps.log.flush?.();
			exit(1);
		}
		this.shuttingDown = true;
		const started = Date.now();
		this.deps.log.info(`Shutting down (${reason}); deadline ${this.deps.deadlineMs} ms.`);
		this.deps.beginDraining();
		// Services get the deadline minus a margin for destroying the client and exiting.
		const reports = await this.deps.services.stopAll(Math.max(250, this.deps.deadlineMs - 1000));
		for (const report of reports) {
			if (report.ok) this.deps.log.info(`Stopped ${report.name} in ${report.ms} ms.`);
			else this.deps.log.error(`Stopping ${report.name} failed after ${report.ms} ms: ${report.error}`);
		}
		try {
			await Promise.race([this.deps.destroyClient(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
		} catch (error) {
			this.deps.log.error(`Destroying the client failed: ${String(error)}`);
		}
		this.deps.log.info(`Shutdown complete in ${Date.now() - started} ms.`);
		this.deps.log.flush?.();
		// Exit 0 even if a stop failed: its data was spooled or logged, and pm2 must not treat a clean stop as a crash.
		exit(0);
		return reports;
	}
}
