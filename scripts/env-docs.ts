// Regenerates .env.example and prints the README configuration table from src/configDocs.ts.
import { writeFileSync } from 'node:fs';
import { configSchema } from '../src/config.js';
import { CONFIG_DOCS } from '../src/configDocs.js';

const defaults = configSchema.parse({ DISCORD_TOKEN: 'x' }) as Record<string, unknown>;
const show = (key: string) => {
	if (key === 'DISCORD_TOKEN') return '';
	const value = defaults[key];
	if (value === undefined) return '';
	return Array.isArray(value) ? value.join(',') : String(value);
};

const groups = new Map<string, string[]>();
for (const [key, { group }] of Object.entries(CONFIG_DOCS)) groups.set(group, [...(groups.get(group) ?? []), key]);

let envFile = '# Nexus configuration. Copy to .env and fill in DISCORD_TOKEN; everything else has a default.\n# Generated from src/configDocs.ts by `npx tsx scripts/env-docs.ts`.\n';
let table = '| Variable | Default | Description |\n|---|---|---|\n';
for (const [group, keys] of groups) {
	envFile += `\n# --- ${group} ---\n`;
	for (const key of keys) {
		const { doc } = CONFIG_DOCS[key as keyof typeof CONFIG_DOCS];
		const value = show(key);
		envFile += `# ${doc}\n${value === '' && key !== 'DISCORD_TOKEN' ? '# ' : ''}${key}=${value}\n`;
		table += `| \`${key}\` | ${value === '' ? (key === 'DISCORD_TOKEN' ? '**required**' : '—') : `\`${value}\``} | ${doc} |\n`;
	}
}
writeFileSync(new URL('../.env.example', import.meta.url), envFile);
process.stdout.write(table);
