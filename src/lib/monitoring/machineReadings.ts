import type { AlertSample } from './AlertManager.js';
import type { MachineReading } from './fleetWindows.js';
import type { SystemSnapshot } from './SystemSampler.js';

/** The memory alert reading: which limit is the tight one goes into the message. */
export function memoryReading(memory: SystemSnapshot['memory']): { value: number; detail: string } {
	const ofLimit = memory.limitBytes !== null && (memory.rssPercentOfLimit ?? 0) >= memory.usedPercent;
	return { value: memory.effectivePercent, detail: ofLimit ? 'of the container limit' : 'of host memory' };
}

/** A machine's system sample as the fleet compares machines. */
export function machineReading(snapshot: SystemSnapshot, machine: string): MachineReading {
	const worstMount = snapshot.disk.mounts.reduce<SystemSnapshot['disk']['mounts'][number] | undefined>((worst, mount) => (!worst || mount.usedPercent > worst.usedPercent ? mount : worst), undefined);
	const memory = memoryReading(snapshot.memory);
	return {
		machine,
		at: snapshot.at,
		cpuPercent: snapshot.windowMs > 0 ? snapshot.cpu.usagePercent : null,
		loadPerCore: snapshot.cpu.loadPerCore,
		memoryPercent: memory.value,
		memoryDetail: memory.detail,
		diskPercent: worstMount?.usedPercent ?? null,
		diskPath: worstMount?.path ?? null
	};
}

/**
 * The system alert sample over the machines' readings (at least one): the worst machine per metric.
 * One machine: details as before; several: each alert names the machine it is about.
 */
export function systemAlertSample(machines: readonly MachineReading[]): Pick<AlertSample, 'cpu' | 'memory' | 'disk'> {
	const named = machines.length > 1;
	const worst = (pick: (reading: MachineReading) => number | null) =>
		machines.reduce<MachineReading | undefined>((found, reading) => (pick(reading) !== null && (!found || pick(reading)! > pick(found)!) ? reading : found), undefined);
	const on = (reading: MachineReading, detail: string) => (named ? `${reading.machine}: ${detail}` : detail);
	const cpu = worst((reading) => reading.cpuPercent);
	const memory = worst((reading) => reading.memoryPercent)!;
	const disk = worst((reading) => reading.diskPercent);
	return {
		// The first sample has no window: its CPU figure is the since-boot average, not news.
		cpu: cpu ? { value: cpu.cpuPercent!, detail: on(cpu, `load ${cpu.loadPerCore.toFixed(2)} per core`) } : undefined,
		memory: { value: memory.memoryPercent, detail: on(memory, memory.memoryDetail) },
		disk: disk ? { value: disk.diskPercent!, detail: on(disk, disk.diskPath ?? '') } : undefined
	};
}
