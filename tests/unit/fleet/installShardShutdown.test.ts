import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installShardShutdown } from '#lib/fleet/installShardShutdown.js';

function setup(graceMs = 1000) {
	const proc = new EventEmitter();
	const runs: string[] = [];
	let inProgress = false;
	const uninstall = installShardShutdown({
		proc,
		graceMs,
		run: (reason) => {
			runs.push(reason);
			inProgress = true;
		},
		inProgress: () => inProgress,
		log: { info: () => undefined }
	});
	return { proc, runs, uninstall };
}

afterEach(() => void vi.useRealTimers());

describe('installShardShutdown', () => {
	it('Ctrl+C / pm2 treekill: the signal AND the manager request arrive; the shutdown runs once, on the request', () => {
		vi.useFakeTimers();
		const { proc, runs } = setup();
		proc.emit('SIGINT', 'SIGINT');
		proc.emit('message', 'shutdown');
		proc.emit('SIGINT', 'SIGINT');
		proc.emit('message', 'shutdown');
		vi.advanceTimersByTime(5000);
		expect(runs).toEqual(['shutdown requested by the shard manager']);
	});

	it('a signal sent to this shard alone stops it after the grace period (the manager then respawns it)', () => {
		vi.useFakeTimers();
		const { proc, runs } = setup(1000);
		proc.emit('SIGTERM', 'SIGTERM');
		vi.advanceTimersByTime(999);
		expect(runs).toEqual([]);
		vi.advanceTimersByTime(1);
		expect(runs).toEqual(['SIGTERM (this shard only)']);
	});

	it('the manager died (IPC closed): the shard stops instead of living on as an orphan', () => {
		const { proc, runs } = setup();
		proc.emit('disconnect');
		expect(runs).toEqual(['shard manager gone (IPC channel closed)']);
	});

	it('ignores other IPC messages (discord.js uses the same channel) and can be uninstalled', () => {
		vi.useFakeTimers();
		const { proc, runs, uninstall } = setup();
		proc.emit('message', { _eval: '1+1' });
		proc.emit('message', 'ready');
		proc.emit('SIGTERM', 'SIGTERM');
		uninstall();
		vi.advanceTimersByTime(5000);
		proc.emit('message', 'shutdown');
		expect(runs).toEqual([]);
		expect(proc.listenerCount('message') + proc.listenerCount('SIGTERM') + proc.listenerCount('disconnect')).toBe(0);
	});
});
