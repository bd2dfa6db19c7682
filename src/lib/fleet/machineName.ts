import os from 'node:os';

/** This machine's name in the fleet (MACHINE_NAME, else the host name, cut to what the config allows). */
export function machineName(config: { MACHINE_NAME?: string }): string {
	return config.MACHINE_NAME ?? (os.hostname().replace(/[^\w.-]/g, '-').slice(0, 63) || 'machine');
}
