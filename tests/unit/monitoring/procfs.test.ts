import { describe, expect, it } from 'vitest';
import { parseCpuInfoMHz, parseDiskStats, parseMemInfo, parseNetDev, parseProcStatCpu, parseStatusField, physicalDisks } from '#lib/monitoring/procfs.js';

describe('procfs parsers', () => {
	it('reads the aggregate cpu line of /proc/stat', () => {
		const text = 'cpu  20900 10 5794 137411 641 0 113 47 0 0\ncpu0 7491 0 2275 72454 54 0 16 19 0 0\nintr 1 2 3\n';
		expect(parseProcStatCpu(text)).toEqual({ user: 20900, nice: 10, system: 5794, idle: 137411, iowait: 641, irq: 0, softirq: 113, steal: 47, total: 164916 });
		expect(parseProcStatCpu('nothing')).toBeUndefined();
	});

	it('sums /proc/net/dev without loopback', () => {
		const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  116857     801    0    0    0     0          0         0   116857     801    0    0    0     0       0          0
  eth0: 1000 10 2 0 0 0 0 0 3000 30 1 0 0 0 0 0
  eth1: 500 5 0 0 0 0 0 0 700 7 0 0 0 0 0 0
`;
		expect(parseNetDev(text)).toEqual({ rxBytes: 1500, txBytes: 3700, rxErrors: 2, txErrors: 1, interfaces: 2 });
	});

	it('sums /proc/diskstats over whole disks only', () => {
		const text = ` 253       0 vda 1000 0 2000 300 500 0 4000 200 0 450 500 0 0 0 0
 253       1 vda1 900 0 1800 280 400 0 3000 150 0 400 430 0 0 0 0
   7       0 loop0 50 0 100 10 0 0 0 0 0 5 10 0 0 0 0
`;
		const disks = physicalDisks(['loop0', 'loop1', 'vda', 'zram0', 'dm-0', 'nvme0n1']);
		expect([...disks]).toEqual(['vda', 'nvme0n1']);
		expect(parseDiskStats(text, disks)).toEqual({ reads: 1000, writes: 500, readBytes: 2000 * 512, writeBytes: 4000 * 512, ioMs: 450 });
	});

	it('reads /proc/meminfo in bytes, with a fallback for kernels without MemAvailable', () => {
		const modern = 'MemTotal:       24684084 kB\nMemFree:        24076416 kB\nMemAvailable:   24094384 kB\nBuffers:  10 kB\nCached:  20 kB\nSwapTotal:  2048 kB\nSwapFree:  1024 kB\n';
		expect(parseMemInfo(modern)).toEqual({ total: 24684084 * 1024, available: 24094384 * 1024, swaptotal: 2048 * 1024, swapused: 1024 * 1024 });
		const old = 'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\n';
		expect(parseMemInfo(old)).toEqual({ total: 1000 * 1024, available: 350 * 1024, swaptotal: 0, swapused: 0 });
		expect(parseMemInfo('garbage')).toBeUndefined();
	});

	it('reads numeric status fields and cpu MHz', () => {
		expect(parseStatusField('Name:\tnode\nThreads:\t11\nVmRSS:\t 1680 kB\n', 'Threads')).toBe(11);
		expect(parseStatusField('Name:\tnode\n', 'Threads')).toBeUndefined();
		expect(parseCpuInfoMHz('model name\t: X\ncpu MHz\t\t: 2596.136\nmodel name\t: X\ncpu MHz\t\t: 2400.000\n')).toEqual([2596.136, 2400]);
	});
});
