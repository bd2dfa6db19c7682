// Removes compiled files in dist/ whose source in src/ is gone (moved or deleted), after `tsc`
// (`npm run build`). tsc only writes: without this, a piece moved to another folder would stay in
// dist/ under its old path too, and Sapphire loads every piece file it finds there (twice the
// listener, or an old command replacing the new one). Only stale files go; what a running bot
// uses stays in place. `--dry-run` lists them without deleting.
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const src = join(root, 'src');
const dryRun = process.argv.includes('--dry-run');

/** dist/a/b.js or dist/a/b.js.map → src/a/b.ts; anything else tsc does not write is left alone. */
function sourceOf(file) {
	const rel = relative(dist, file);
	const match = /^(.*)\.js(\.map)?$/.exec(rel);
	return match ? join(src, `${match[1]}.ts`) : undefined;
}

function prune(dir) {
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) {
			prune(path);
			if (!dryRun && readdirSync(path).length === 0) rmdirSync(path);
			continue;
		}
		const source = sourceOf(path);
		if (source === undefined || existsSync(source)) continue;
		process.stdout.write(`${dryRun ? 'stale' : 'removed'}: ${relative(root, path)}\n`);
		if (!dryRun) rmSync(path);
	}
}

if (existsSync(dist)) prune(dist);
