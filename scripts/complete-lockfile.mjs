// Completes package-lock.json with the platform-specific optional packages (other OSes and CPUs)
// that the registry mirror of our build machines does not serve. Without these entries `npm ci`
// refuses the lock file ("Missing: <pkg>@ from lock file"); with them, npm skips the packages as
// not for this platform, exactly as it does with a lock file written where the mirror has them all.
// Run after `npm install` changes the lock file: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

const OS = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'sunos', 'win32', 'aix', 'netbsd'];
const CPU = ['arm64', 'arm', 'x64', 'ia32', 'riscv64', 'loong64', 'ppc64', 's390x', 'mips64el'];

function platformOf(name) {
	const parts = name.split('/').pop().split('-');
	const os = parts.find((part) => OS.includes(part));
	const cpu = parts.find((part) => CPU.includes(part)) ?? (parts.includes('eabi') || parts.includes('gnueabihf') || parts.includes('musleabihf') ? 'arm' : undefined);
	const libc = parts.some((part) => part.startsWith('musl')) ? 'musl' : os === 'linux' ? 'glibc' : undefined;
	return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
	if (!entry.optionalDependencies) continue;
	const base = path === '' ? 'node_modules/' : `${path}/node_modules/`;
	for (const [name, version] of Object.entries(entry.optionalDependencies)) {
		if (packages[`${base}${name}`] || packages[`node_modules/${name}`]) continue;
		const { os, cpu, libc } = platformOf(name);
		if (!os || !cpu) continue; // not a platform package: leave it to npm
		packages[`node_modules/${name}`] = { version, optional: true, os: [os], cpu: [cpu], ...(libc ? { libc: [libc] } : {}) };
		added++;
	}
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);
