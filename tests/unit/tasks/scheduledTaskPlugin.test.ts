import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as plugin from '@sapphire/plugin-scheduled-tasks';
import { describe, expect, it } from 'vitest';
import { loadScheduledTaskListeners, ScheduledTask, ScheduledTaskEvents, ScheduledTaskStore } from '#lib/tasks/scheduledTaskPlugin.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Imports the built bot's modules (and `extra`) in a fresh process; returns which of bullmq and ioredis it loaded (imported, or required by a CommonJS module). */
function queueLibrariesLoaded(extra = ''): string[] {
	const hook = `data:text/javascript,${encodeURIComponent('export async function resolve(specifier, context, next) { if (specifier === "bullmq" || specifier === "ioredis") process.stderr.write(`LOADED ${specifier}\\n`); return next(specifier, context); }')}`;
	const files = ['dist/lib/setup.js', 'dist/lib/boot.js', 'dist/scheduled-tasks/monitorSystem.js', 'dist/scheduled-tasks/dailySummary.js'];
	const code = `import { register } from 'node:module'; register(${JSON.stringify(hook)}); for (const file of ${JSON.stringify(files)}) await import(new URL(file, ${JSON.stringify(`file://${ROOT}`)}).href); ${extra} const { createRequire } = await import('node:module'); for (const path of Object.keys(createRequire(import.meta.url).cache)) { const name = /\\/node_modules\\/(bullmq|ioredis)\\//.exec(path)?.[1]; if (name) process.stderr.write(\`LOADED \${name}\\n\`); }`;
	const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
	expect(child.status, child.stderr).toBe(0);
	return [...new Set([...child.stderr.matchAll(/^LOADED (\S+)$/gm)].map((match) => match[1]!))].sort();
}

describe('scheduledTaskPlugin', () => {
	it('are the very classes the package entry exports (same modules), so BullMQ mode loads the same pieces', () => {
		expect(ScheduledTask).toBe(plugin.ScheduledTask);
		expect(ScheduledTaskStore).toBe(plugin.ScheduledTaskStore);
		expect(ScheduledTaskEvents).toBe(plugin.ScheduledTaskEvents);
		expect(loadScheduledTaskListeners).toBe(plugin.loadListeners);
	});

	it('the built bot without REDIS_URL never loads bullmq or ioredis; the plugin entry (REDIS_URL) does', () => {
		expect(queueLibrariesLoaded()).toEqual([]);
		expect(queueLibrariesLoaded(`await import('@sapphire/plugin-scheduled-tasks');`)).toEqual(['bullmq', 'ioredis']);
	});
});
