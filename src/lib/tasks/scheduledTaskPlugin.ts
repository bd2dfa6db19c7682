import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as Plugin from '@sapphire/plugin-scheduled-tasks';

/*
 * The scheduled-tasks plugin's pieces, store, events and listeners, without its BullMQ handler. The
 * package's entry also loads ScheduledTaskHandler, which imports bullmq and ioredis: 17 MB of RSS
 * on top of discord.js and Sapphire (measured by importing them, see bench/lean), for a bot without
 * REDIS_URL that runs its tasks on the embedded scheduler and never opens a queue. These are the very
 * files the entry re-exports (same URLs, so the same module instances and classes when REDIS_URL
 * registers the plugin); tests/unit/tasks/scheduledTaskPlugin.test.ts fails if an upgrade moves them.
 */
// createRequire, not import.meta.resolve (which vitest does not provide): the CommonJS entry's path
// locates the package's ESM build next to it.
const cjsEntry = createRequire(import.meta.url).resolve('@sapphire/plugin-scheduled-tasks');
const esmDir = pathToFileURL(`${cjsEntry.slice(0, cjsEntry.lastIndexOf('/dist/'))}/dist/esm/`);
const load = <T>(path: string): Promise<T> => import(new URL(path, esmDir).href) as Promise<T>;

const [structure, store, events, listeners] = await Promise.all([
	load<Pick<typeof Plugin, 'ScheduledTask'>>('./lib/structures/ScheduledTask.mjs'),
	load<Pick<typeof Plugin, 'ScheduledTaskStore'>>('./lib/structures/ScheduledTaskStore.mjs'),
	load<Pick<typeof Plugin, 'ScheduledTaskEvents'>>('./lib/types/ScheduledTaskEvents.mjs'),
	load<Pick<typeof Plugin, 'loadListeners'>>('./listeners/_load.mjs')
]);

export const ScheduledTask = structure.ScheduledTask;
export type ScheduledTask = Plugin.ScheduledTask;
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace ScheduledTask {
	type Options = Plugin.ScheduledTask.Options;
}
export const ScheduledTaskStore = store.ScheduledTaskStore;
export type ScheduledTaskStore = Plugin.ScheduledTaskStore;
export const ScheduledTaskEvents = events.ScheduledTaskEvents;
export const loadScheduledTaskListeners = listeners.loadListeners;
