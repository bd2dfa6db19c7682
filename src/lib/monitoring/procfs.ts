/**
 * Pure parsers for the Linux /proc and /sys files the samplers read. Reading these files is a
 * plain open/read (no child process), which is why the samplers use them instead of the
 * systeminformation functions that shell out to `cat`, `lsblk` or `ip` on every call.
 */

export interface CpuTimes {
	user: number;
	nice: number;
	system: number;
	idle: number;
	iowait: number;
	irq: number;
	softirq: number;
	steal: number;
	total: number;
}

/** The aggregate `cpu ` line of /proc/stat, in clock ticks. */
export function parseProcStatCpu(text: string): CpuTimes | undefined {
	const start = text.indexOf('cpu ');
	if (start === -1) return undefined;
	const end = text.indexOf('\n', start);
	const fields = text
		.slice(start + 4, end === -1 ? undefined : end)
		.trim()
		.split(/\s+/)
		.map(Number);
	const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
	// guest/guest_nice are already included in user/nice, so they are not added to the total.
	return { user, nice, system, idle, iowait, irq, softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

export interface NetTotals {
	rxBytes: number;
	txBytes: number;
	rxErrors: number;
	txErrors: number;
	interfaces: number;
}

/** Sums /proc/net/dev over every interface except loopback. */
export function parseNetDev(text: string): NetTotals {
	const totals: NetTotals = { rxBytes: 0, txBytes: 0, rxErrors: 0, txErrors: 0, interfaces: 0 };
	for (const line of text.split('\n')) {
		const colon = line.indexOf(':');
		if (colon === -1) continue;
		const name = line.slice(0, colon).trim();
		if (name === 'lo' || name === '' || name.includes('|')) continue;
		const fields = line
			.slice(colon + 1)
			.trim()
			.split(/\s+/)
			.map(Number);
		if (fields.length < 16) continue;
		totals.rxBytes += fields[0];
		totals.rxErrors += fields[2];
		totals.txBytes += fields[8];
		totals.txErrors += fields[10];
		totals.interfaces++;
	}
	return totals;
}

export interface DiskTotals {
	reads: number;
	writes: number;
	readBytes: number;
	writeBytes: number;
	ioMs: number;
}

/** Sums /proc/diskstats over the given whole-disk devices (sectors are always 512 bytes there). */
export function parseDiskStats(text: string, devices: ReadonlySet<string>): DiskTotals {
	const totals: DiskTotals = { reads: 0, writes: 0, readBytes: 0, writeBytes: 0, ioMs: 0 };
	for (const line of text.split('\n')) {
		const fields = line.trim().split(/\s+/);
		if (fields.length < 14 || !devices.has(fields[2])) continue;
		totals.reads += Number(fields[3]);
		totals.readBytes += Number(fields[5]) * 512;
		totals.writes += Number(fields[7]);
		totals.writeBytes += Number(fields[9]) * 512;
		totals.ioMs += Number(fields[12]);
	}
	return totals;
}

/** Whole disks from a /sys/block listing: virtual and partition-mapper devices would double count. */
export function physicalDisks(blockDevices: readonly string[]): Set<string> {
	return new Set(blockDevices.filter((name) => !/^(loop|ram|zram|nbd|fd|sr|dm-|md|zd)/.test(name)));
}

/** A numeric `Key:\tvalue` field of /proc/<pid>/status (e.g. Threads). */
export function parseStatusField(text: string, key: string): number | undefined {
	const match = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
	return match ? Number(match[1]) : undefined;
}

/** Average `cpu MHz` of /proc/cpuinfo (used when os.cpus() reports speed 0, as in many VMs). */
export function parseCpuInfoMHz(text: string): number[] {
	const out: number[] = [];
	const pattern = /^cpu MHz\s*:\s*([\d.]+)/gm;
	for (let match = pattern.exec(text); match; match = pattern.exec(text)) out.push(Number(match[1]));
	return out;
}

/** /proc/meminfo in bytes: the same fields systeminformation's mem() reads (MemAvailable since Linux 3.14). */
export function parseMemInfo(text: string): { total: number; available: number; swaptotal: number; swapused: number } | undefined {
	const field = (key: string) => {
		const match = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
		return match ? Number(match[1]) * 1024 : undefined;
	};
	const total = field('MemTotal');
	if (total === undefined) return undefined;
	// Kernels without MemAvailable: free + page cache is the classic approximation.
	const available = field('MemAvailable') ?? (field('MemFree') ?? 0) + (field('Cached') ?? 0) + (field('Buffers') ?? 0);
	const swaptotal = field('SwapTotal') ?? 0;
	return { total, available, swaptotal, swapused: Math.max(0, swaptotal - (field('SwapFree') ?? 0)) };
}
