import { existsSync } from 'node:fs';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it), driven by playwright-core. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, no sandbox (containers), and nothing that phones home. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumAvailable(): boolean {
	return existsSync(CHROMIUM_PATH);
}
