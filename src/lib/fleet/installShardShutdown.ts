import type { EventEmitter } from 'node:events';

export interface ShardShutdownOptions {
	/** Starts the graceful shutdown (GracefulShutdown.run). */
	run: (reason: string) => unknown;
	inProgress: () => boolean;
	/** How long a signal waits for the manager's own 'shutdown' message before acting alone. Default 1000 ms. */
	graceMs?: number;
	log: { info: (message: string) => void };
	/** The process (tests pass an emitter). */
	proc?: EventEmitter;
}

/**
 * Signal policy of a shard process under the sharding manager. The manager owns shutdown: it sends
 * each shard the IPC message 'shutdown' once and waits for the flushes. A shard usually ALSO gets
 * the signal itself (Ctrl+C reaches the whole process group, pm2's treekill signals every
 * descendant), and a second trigger would mean "exit now, skip the flush" in GracefulShutdown; so
 * a signal only starts the shutdown if the manager has not asked within `graceMs` (a signal sent to
 * this shard alone: it stops cleanly and the manager respawns it). If the manager itself dies
 * (IPC channel closed), the shard stops too, instead of living on as an orphan that a restarted
 * manager would duplicate.
 */
export function installShardShutdown(options: ShardShutdownOptions): () => void {
	const proc = options.proc ?? process;
	const graceMs = options.graceMs ?? 1000;
	const timers = new Set<NodeJS.Timeout>();
	const start = (reason: string) => {
		if (!options.inProgress()) void options.run(reason);
	};
	const onMessage = (message: unknown) => {
		if (message === 'shutdown') start('shutdown requested by the shard manager');
	};
	const onDisconnect = () => start('shard manager gone (IPC channel closed)');
	const onSignal = (signal: NodeJS.Signals) => {
		if (options.inProgress()) return;
		options.log.info(`${signal} received; waiting up to ${graceMs} ms for the shard manager's shutdown request.`);
		const timer = setTimeout(() => {
			timers.delete(timer);
			start(`${signal} (this shard only)`);
		}, graceMs);
		timers.add(timer);
	};
	const signals = ['SIGTERM', 'SIGINT'] as const;
	proc.on('message', onMessage);
	proc.on('disconnect', onDisconnect);
	for (const signal of signals) proc.on(signal, onSignal);
	return () => {
		for (const timer of timers) clearTimeout(timer);
		proc.off('message', onMessage);
		proc.off('disconnect', onDisconnect);
		for (const signal of signals) proc.off(signal, onSignal);
	};
}
