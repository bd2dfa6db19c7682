import { readFileSync } from 'node:fs';
import { readdir, statfs } from 'node:fs/promises';
import os from 'node:os';
import { parseCpuInfoMHz, parseDiskStats, parseMemInfo, parseNetDev, parseProcStatCpu, physicalDisks, type CpuTimes, type DiskTotals, type NetTotals } from './procfs.js';

/*
 * Which systeminformation (5.33) calls start child processes, measured on Linux by hooking
 * ChildProcess.prototype.spawn and child_process.{execSync,execFileSync,spawnSync} before loading
 * the library, calling each function, waiting 600 ms (several cache results for 500 ms, so
 * back-to-back calls hide the spawn) and calling it again. Re-measured by
 * tests/unit/monitoring/systeminformationSpawns.test.ts.
 *
 *   spawn on EVERY call:  currentLoad (execSync `cat /proc/stat`, which also blocks the loop),
 *                         fsSize (cat /proc/mounts + df), fsStats (lsblk + cat /proc/diskstats),
 *                         disksIO (lsblk pipeline), networkStats (ip route + cat, also with
 *                         explicit interfaces), networkInterfaces (ip, nmcli), networkInterfaceDefault
 *                         (ip), networkGatewayDefault, networkConnections, cpu (lscpu), cpuFlags,
 *                         cpuCache, cpuTemperature (sensors), processes, processLoad (ps), services
 *                         (ps), osInfo, system, bios, baseboard, chassis, uuid, shell, time (date),
 *                         users (who), versions (dozens: npm, pm2, openssl...), memLayout,
 *                         diskLayout, blockDevices, graphics, usb, audio, printer, wifiNetworks,
 *                         bluetoothDevices, inetLatency (ping).
 *   never spawn (Linux):  mem (reads /proc/meminfo), cpuCurrentSpeed (os.cpus(); falls back to
 *                         execSync `cat /proc/cpuinfo` when os reports no speed field), fullLoad,
 *                         fsOpenFiles, battery, dockerInfo (unix socket). On macOS/Windows even
 *                         mem() shells out (vm_stat, PowerShell).
 *
 * So this sampler reads /proc/stat, /proc/meminfo, /proc/net/dev, /proc/diskstats, /proc/cpuinfo
 * and statfs() itself, and uses os.* where it is the same data (load average, cores, model, speed).
 * It does not load systeminformation at all: its only call we could use on the interval, mem(),
 * is exactly a /proc/meminfo parse, and loading the library costs ~10 MB of RSS (measured), half
 * of the whole monitoring budget. Elsewhere than Linux memory comes from os.totalmem/freemem.
 */

export interface SystemSnapshot {
	at: number;
	/** Time since the previous sample; 0 on the first one (rates are then 0, CPU is the since-boot average). */
	windowMs: number;
	cpu: {
		usagePercent: number;
		userPercent: number;
		systemPercent: number;
		iowaitPercent: number;
		stealPercent: number;
		cores: number;
		model: string;
		/** Current clock in MHz (0 when the platform does not say). */
		speedMHz: { avg: number; min: number; max: number };
		loadAverage: [number, number, number];
		/** 1-minute load divided by cores: above 1 means runnable work waits for a CPU. */
		loadPerCore: number;
	};
	memory: {
		totalBytes: number;
		availableBytes: number;
		usedBytes: number;
		usedPercent: number;
		swapTotalBytes: number;
		swapUsedBytes: number;
		swapPercent: number;
		/** Container (cgroup) limit when one is set below physical memory. */
		limitBytes: number | null;
		/** This process's RSS as a percentage of that limit. */
		rssPercentOfLimit: number | null;
		/** What the memory alert watches: the tighter of host memory and the container limit. */
		effectivePercent: number;
	};
	disk: {
		mounts: { path: string; totalBytes: number; usedBytes: number; usedPercent: number }[];
		maxUsedPercent: number;
		readBytesPerSec: number;
		writeBytesPerSec: number;
		readOpsPerSec: number;
		writeOpsPerSec: number;
	};
	network: {
		rxBytesPerSec: number;
		txBytesPerSec: number;
		errorsPerSec: number;
		rxTotalBytes: number;
		txTotalBytes: number;
		interfaces: number;
	};
}

export interface MemoryReading {
	total: number;
	available: number;
	swaptotal: number;
	swapused: number;
}

export interface StatFsReading {
	blocks: number;
	bfree: number;
	bavail: number;
	bsize: number;
}

/** Everything the sampler touches, injectable so tests feed fixed /proc text. */
export interface SystemSamplerDeps {
	readText: (path: string) => Promise<string | undefined>;
	readDir: (path: string) => Promise<string[]>;
	statfs: (path: string) => Promise<StatFsReading>;
	/** Defaults to /proc/meminfo (os.totalmem/freemem elsewhere). */
	memory: () => Promise<MemoryReading>;
	cpus: () => os.CpuInfo[];
	loadavg: () => number[];
	rss: () => number;
	constrainedMemory: () => number | undefined;
	platform: NodeJS.Platform;
	now: () => number;
}

export interface SystemSamplerOptions {
	/** Filesystems whose usage is reported (e.g. the data directory). */
	diskPaths?: string[];
	deps?: Partial<SystemSamplerDeps>;
}

// /proc files are generated in memory: a synchronous read takes microseconds, while a promise read
// hops through the thread pool four times (open, stat, read, close) and wakes the loop for each.
const readTextOrUndefined = async (path: string): Promise<string | undefined> => {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return undefined;
	}
};

async function procMemory(): Promise<MemoryReading> {
	const text = process.platform === 'linux' ? await readTextOrUndefined('/proc/meminfo') : undefined;
	return (text && parseMemInfo(text)) || { total: os.totalmem(), available: os.freemem(), swaptotal: 0, swapused: 0 };
}

export class SystemSampler {
	private readonly deps: SystemSamplerDeps;
	private readonly diskPaths: string[];
	/** Static facts, read once. */
	public readonly cores: number;
	public readonly model: string;
	private disks: Set<string> | undefined;
	private previous: { at: number; cpu: CpuTimes | undefined; net: NetTotals | undefined; disk: DiskTotals | undefined } | undefined;

	public constructor(options: SystemSamplerOptions = {}) {
		this.deps = {
			readText: readTextOrUndefined,
			readDir: (path) => readdir(path).catch(() => []),
			statfs: (path) => statfs(path),
			memory: procMemory,
			cpus: () => os.cpus(),
			loadavg: () => os.loadavg(),
			rss: () => process.memoryUsage.rss(),
			constrainedMemory: () => process.constrainedMemory?.(),
			platform: process.platform,
			now: Date.now,
			...options.deps
		};
		this.diskPaths = options.diskPaths ?? ['/'];
		const cpus = this.deps.cpus();
		this.cores = cpus.length || os.availableParallelism();
		this.model = cpus[0]?.model?.trim() || 'unknown';
	}

	/** Reads the counters once so the first interval sample already has a window. */
	public async prime(): Promise<void> {
		if (!this.previous) await this.sample();
	}

	public async sample(): Promise<SystemSnapshot> {
		const linux = this.deps.platform === 'linux';
		if (linux && !this.disks) this.disks = physicalDisks(await this.deps.readDir('/sys/block'));
		const [statText, netText, diskText, memory, mounts] = await Promise.all([
			linux ? this.deps.readText('/proc/stat') : undefined,
			linux ? this.deps.readText('/proc/net/dev') : undefined,
			linux ? this.deps.readText('/proc/diskstats') : undefined,
			this.deps.memory(),
			Promise.all(this.diskPaths.map((path) => this.mount(path)))
		]);
		const at = this.deps.now();
		const cpusInfo = this.deps.cpus();
		const cpuTimes = (statText && parseProcStatCpu(statText)) || timesFromOs(cpusInfo);
		const net = netText ? parseNetDev(netText) : undefined;
		const disk = diskText && this.disks ? parseDiskStats(diskText, this.disks) : undefined;
		const previous = this.previous;
		this.previous = { at, cpu: cpuTimes, net, disk };
		const windowMs = previous ? Math.max(0, at - previous.at) : 0;
		const seconds = windowMs / 1000;
		const rate = (now: number | undefined, before: number | undefined) => (seconds > 0 && now !== undefined && before !== undefined ? Math.max(0, now - before) / seconds : 0);

		const cpu = cpuShares(cpuTimes, previous?.cpu);
		const load = this.deps.loadavg();
		const loadAverage: [number, number, number] = [load[0] ?? 0, load[1] ?? 0, load[2] ?? 0];

		const validMounts = mounts.filter((mount): mount is NonNullable<typeof mount> => mount !== undefined);
		return {
			at,
			windowMs,
			cpu: {
				...cpu,
				cores: this.cores,
				model: this.model,
				speedMHz: await this.speed(cpusInfo),
				loadAverage,
				loadPerCore: loadAverage[0] / this.cores
			},
			memory: this.memoryFigures(memory),
			disk: {
				mounts: validMounts,
				maxUsedPercent: validMounts.reduce((max, mount) => Math.max(max, mount.usedPercent), 0),
				readBytesPerSec: rate(disk?.readBytes, previous?.disk?.readBytes),
				writeBytesPerSec: rate(disk?.writeBytes, previous?.disk?.writeBytes),
				readOpsPerSec: rate(disk?.reads, previous?.disk?.reads),
				writeOpsPerSec: rate(disk?.writes, previous?.disk?.writes)
			},
			network: {
				rxBytesPerSec: rate(net?.rxBytes, previous?.net?.rxBytes),
				txBytesPerSec: rate(net?.txBytes, previous?.net?.txBytes),
				errorsPerSec: rate(net ? net.rxErrors + net.txErrors : undefined, previous?.net ? previous.net.rxErrors + previous.net.txErrors : undefined),
				rxTotalBytes: net?.rxBytes ?? 0,
				txTotalBytes: net?.txBytes ?? 0,
				interfaces: net?.interfaces ?? 0
			}
		};
	}

	/** Memory only: the cheap read behind the memory watch (one /proc/meminfo read). */
	public async sampleMemory(): Promise<SystemSnapshot['memory']> {
		return this.memoryFigures(await this.deps.memory());
	}

	private memoryFigures(memory: MemoryReading): SystemSnapshot['memory'] {
		const limitRaw = this.deps.constrainedMemory();
		const limitBytes = limitRaw && limitRaw > 0 && limitRaw < memory.total ? limitRaw : null;
		const usedBytes = Math.max(0, memory.total - memory.available);
		const usedPercent = memory.total > 0 ? (usedBytes / memory.total) * 100 : 0;
		const rssPercentOfLimit = limitBytes ? (this.deps.rss() / limitBytes) * 100 : null;
		return {
			totalBytes: memory.total,
			availableBytes: memory.available,
			usedBytes,
			usedPercent,
			swapTotalBytes: memory.swaptotal,
			swapUsedBytes: memory.swapused,
			swapPercent: memory.swaptotal > 0 ? (memory.swapused / memory.swaptotal) * 100 : 0,
			limitBytes,
			rssPercentOfLimit,
			effectivePercent: Math.max(usedPercent, rssPercentOfLimit ?? 0)
		};
	}

	private async mount(path: string) {
		try {
			const fs = await this.deps.statfs(path);
			const totalBytes = fs.blocks * fs.bsize;
			const usedBytes = (fs.blocks - fs.bfree) * fs.bsize;
			// Like df: reserved blocks count as neither used nor available to us.
			const usable = usedBytes + fs.bavail * fs.bsize;
			return { path, totalBytes, usedBytes, usedPercent: usable > 0 ? (usedBytes / usable) * 100 : 0 };
		} catch {
			return undefined;
		}
	}

	private async speed(cpus: os.CpuInfo[]): Promise<{ avg: number; min: number; max: number }> {
		let speeds = cpus.map((cpu) => cpu.speed).filter((speed) => speed > 0);
		if (speeds.length === 0 && this.deps.platform === 'linux') {
			const text = await this.deps.readText('/proc/cpuinfo');
			speeds = text ? parseCpuInfoMHz(text) : [];
		}
		if (speeds.length === 0) return { avg: 0, min: 0, max: 0 };
		return { avg: speeds.reduce((sum, speed) => sum + speed, 0) / speeds.length, min: Math.min(...speeds), max: Math.max(...speeds) };
	}
}

function timesFromOs(cpus: os.CpuInfo[]): CpuTimes {
	const out: CpuTimes = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, total: 0 };
	for (const { times } of cpus) {
		out.user += times.user;
		out.nice += times.nice;
		out.system += times.sys;
		out.idle += times.idle;
		out.irq += times.irq;
	}
	out.total = out.user + out.nice + out.system + out.idle + out.irq;
	return out;
}

function cpuShares(now: CpuTimes, before: CpuTimes | undefined) {
	const delta = (key: keyof CpuTimes) => now[key] - (before?.[key] ?? 0);
	const total = delta('total');
	if (total <= 0) return { usagePercent: 0, userPercent: 0, systemPercent: 0, iowaitPercent: 0, stealPercent: 0 };
	const share = (value: number) => Math.min(100, Math.max(0, (value / total) * 100));
	return {
		// iowait is idle time spent waiting on disks, so it is not "busy".
		usagePercent: share(total - delta('idle') - delta('iowait')),
		userPercent: share(delta('user') + delta('nice')),
		systemPercent: share(delta('system') + delta('irq') + delta('softirq')),
		iowaitPercent: share(delta('iowait')),
		stealPercent: share(delta('steal'))
	};
}
