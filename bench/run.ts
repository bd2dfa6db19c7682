// `npm run bench [name...]`: runs every benchmark (or the named ones) in this folder in turn.
// Each prints its own figures and a ratio against a baseline measured in the same run.
import { readdirSync } from 'node:fs';

const wanted = process.argv.slice(2);
const names = readdirSync(new URL('.', import.meta.url))
	.filter((file) => file.endsWith('.ts') && file !== 'run.ts')
	.map((file) => file.replace(/\.ts$/, ''))
	.filter((name) => wanted.length === 0 || wanted.includes(name))
	.sort();

for (const name of names) {
	const module = (await import(`./${name}.ts`)) as { run?: () => Promise<void> };
	if (typeof module.run !== 'function') continue;
	console.log(`\n=== bench/${name} ===`);
	const started = performance.now();
	await module.run();
	console.log(`(bench/${name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(0);
