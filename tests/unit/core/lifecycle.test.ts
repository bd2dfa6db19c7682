import { describe, expect, it } from 'vitest';
import { GracefulShutdown } from '#lib/GracefulShutdown.js';
import { ServiceRegistry } from '#lib/ServiceRegistry.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ServiceRegistry', () => {
	it('starts in order and stops in reverse order', async () => {
		const calls: string[] = [];
		const registry = new ServiceRegistry();
		for (const name of ['store', 'reporter', 'scheduler']) {
			registry.add({ name, start: () => void calls.push(`start ${name}`), stop: () => void calls.push(`stop ${name}`) });
		}
		await registry.startAll();
		const reports = await registry.stopAll(1000);
		expect(calls).toEqual(['start store', 'start reporter', 'start scheduler', 'stop scheduler', 'stop reporter', 'stop store']);
		expect(reports.every((report) => report.ok)).toBe(true);
	});

	it('gives up on a stop that outlives the deadline and still stops the others', async () => {
		const stopped: string[] = [];
		const registry = new ServiceRegistry();
		registry.add({ name: 'fast', stop: () => void stopped.push('fast') });
		registry.add({ name: 'hung', stop: () => new Promise(() => undefined) });
		await registry.startAll();
		const started = Date.now();
		const reports = await registry.stopAll(200);
		expect(Date.now() - started).toBeLessThan(1000);
		expect(reports.find((report) => report.name === 'hung')).toMatchObject({ ok: false, error: 'shutdown deadline passed' });
		expect(stopped).toEqual(['fast']);
	});

	it('reports a failing stop without throwing', async () => {
		const registry = new ServiceRegistry();
		registry.add({ name: 'broken', stop: () => Promise.reject(new Error('disk full')) });
		await registry.startAll();
		expect(await registry.stopAll(1000)).toMatchObject([{ name: 'broken', ok: false, error: 'disk full' }]);
	});
});

describe('GracefulShutdown', () => {
	function harness(stopMs = 0) {
		const exits: number[] = [];
		const log: string[] = [];
		const services = new ServiceRegistry();
		let drained = false;
		services.add({ name: 'stats', stop: async () => void (await sleep(stopMs)) });
		const shutdown = new GracefulShutdown({
			services,
			beginDraining: () => (drained = true),
			destroyClient: async () => void log.push('client destroyed'),
			log: { info: (m) => log.push(m), error: (m) => log.push(m) },
			deadlineMs: 2000,
			exit: ((code: number) => void exits.push(code)) as never
		});
		return { shutdown, services, exits, log, drained: () => drained };
	}

	it('drains, stops services, destroys the client and exits 0', async () => {
		const h = harness();
		await h.services.startAll();
		await h.shutdown.run('SIGTERM');
		expect(h.drained()).toBe(true);
		expect(h.exits).toEqual([0]);
		expect(h.log.join('\n')).toMatch(/Stopped stats in \d+ ms[\s\S]*client destroyed[\s\S]*Shutdown complete/);
	});

	it('a second signal during shutdown exits at once with 1', async () => {
		const h = harness(300);
		await h.services.startAll();
		const first = h.shutdown.run('SIGTERM');
		await sleep(20);
		void h.shutdown.run('SIGINT');
		expect(h.exits).toEqual([1]);
		await first;
	});
});
