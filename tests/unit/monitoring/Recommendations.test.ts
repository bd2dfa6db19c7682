import { describe, expect, it } from 'vitest';
import { Recommendations } from '#lib/monitoring/Recommendations.js';
import { discordSnapshot, processSnapshot, systemSnapshot } from './fixtures.js';

const recommendations = new Recommendations();
const texts = (input: Parameters<Recommendations['build']>[0]) => recommendations.build(input).map((entry) => `${entry.severity} ${entry.text}`);

describe('Recommendations', () => {
	it('says nothing when everything is healthy', () => {
		expect(recommendations.build({ system: systemSnapshot(), process: processSnapshot(), discord: discordSnapshot(), commands: { commands: [] } })).toEqual([]);
	});

	it('blames blocking work for a high event-loop p99', () => {
		expect(texts({ process: processSnapshot({ eventLoop: { delayP99Ms: 280, delayMaxMs: 300 } }) })).toEqual(['WARNING event-loop p99 280 ms: chart renders or sync work are blocking the loop']);
		expect(texts({ process: processSnapshot({ eventLoop: { delayP99Ms: 20, delayMaxMs: 450 } }) })).toEqual([
			'INFO event loop stalled once for 450 ms: look for a synchronous call (big JSON, sync fs, a render on the main thread)'
		]);
	});

	it('points at caches when memory is high, naming the container limit when that is the tight one', () => {
		expect(texts({ system: systemSnapshot({ memory: { usedPercent: 91, effectivePercent: 91 } }) })).toEqual([
			'CRITICAL memory 91% of host memory: check caches (chart cache CHART_CACHE_MAX, discord.js caches, report spool)'
		]);
		expect(texts({ system: systemSnapshot({ memory: { usedPercent: 30, limitBytes: 512e6, rssPercentOfLimit: 80, effectivePercent: 80 } }) })[0]).toBe(
			'WARNING memory 80% of the container limit: check caches (chart cache CHART_CACHE_MAX, discord.js caches, report spool)'
		);
	});

	it('names the shard with high gateway latency and the slow command', () => {
		const discord = discordSnapshot({ shards: [{ id: 0, pingMs: 620, status: 'READY', ready: true }, { id: 1, pingMs: 40, status: 'RESUMING', ready: false }] });
		const commands = {
			commands: [
				{ command: 'guildstats', category: 'stats', runs: 30, failures: 0, successRate: 100, avgMs: 2500, p95Ms: 6200, maxMs: 7000, errorTypes: {} },
				{ command: 'nexus', category: 'admin', runs: 3, failures: 0, successRate: 100, avgMs: 20, p95Ms: 30, maxMs: 30, errorTypes: {} }
			]
		};
		expect(texts({ discord, commands })).toEqual([
			'CRITICAL gateway latency 620 ms on shard 0',
			'CRITICAL command /guildstats p95 6.2 s: defer the reply (3 s interaction limit) and cache or pre-aggregate the data',
			'WARNING shard 1 is resuming, not ready'
		]);
	});

	it('reports an unreachable API with the error code, and slow REST', () => {
		const down = discordSnapshot({ rest: { reachability: 'unreachable', lastFailure: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, consecutiveFailures: 4 } });
		expect(texts({ discord: down })).toEqual(['CRITICAL Discord API unreachable (ECONNREFUSED, 4 failed requests in a row): reports are spooled and replayed when it is back']);
		expect(texts({ discord: discordSnapshot({ rest: { p95Ms: 350, count: 80 } }) })).toEqual(['WARNING Discord REST p95 350 ms over 80 requests: the network path to Discord is slow']);
	});

	it('flags failing commands with their main error type, and error bursts with their source', () => {
		const commands = { commands: [{ command: 'guildstats', category: 'stats', runs: 10, failures: 3, successRate: 70, avgMs: 200, p95Ms: 400, maxMs: 500, errorTypes: { ChartError: 2, TypeError: 1 } }] };
		expect(texts({ commands })).toEqual(['CRITICAL command /guildstats fails 30% of runs (3/10), mostly ChartError']);
		const errors = { perMinute: 8.4, bySource: { logger: 30, command: 12 }, lastError: { at: 0, source: 'logger', message: 'SQLITE_BUSY: database is locked' } };
		expect(texts({ errors })).toEqual(['WARNING 8.4 errors/min, mostly from logger; last: SQLITE_BUSY: database is locked']);
	});

	it('covers CPU, steal, disk, heap, heap growth and GC pressure, worst first', () => {
		const result = texts({
			system: systemSnapshot({ cpu: { usagePercent: 88, loadPerCore: 1.9, stealPercent: 14, cores: 2 }, disk: { mounts: [{ path: '/data', totalBytes: 1, usedBytes: 1, usedPercent: 93 }] } }),
			process: processSnapshot({ cpuPercentOfCore: 150, memory: { heapUsedBytes: 1800 * 1024 * 1024, heapLimitBytes: 2048 * 1024 * 1024, heapPercentOfLimit: 87.9 }, gc: { pauseMs: 3000 }, windowMs: 30_000 }),
			trends: { heapUsedMB: { direction: 'increasing', slopePerMinute: 3.2, change: 190, relativeChange: 0.2, points: 120 } }
		});
		expect(result).toEqual([
			'CRITICAL CPU 88% (load 1.90 per core): Nexus itself uses 150% of a core, profile its hot paths',
			'CRITICAL disk /data 93% full: prune old statistics (RETENTION_*_DAYS) and check the report spool size',
			'WARNING CPU steal 14%: the VM host is oversubscribed, consider another instance type',
			'WARNING heap 1800 MB of 2048 MB limit (88%): raise --max-old-space-size or look for a leak',
			'WARNING heap grows 3.2 MB/min over the last hour without levelling off: possible leak, take a heap snapshot',
			'WARNING GC pauses take 10% of the time (0 major collections): heap pressure, reduce allocations or raise the heap limit'
		]);
	});
});
