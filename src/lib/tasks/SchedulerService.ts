import type { ScheduledTaskHandler, ScheduledTaskStore } from '@sapphire/plugin-scheduled-tasks';
import type { Service } from '#lib/ServiceRegistry.js';
import { reconcileRepeatables, type RepeatableQueue, type RepeatableSpec } from '#lib/tasks/RepeatableReconciler.js';

export interface SchedulerServiceOptions {
	tasks: () => ScheduledTaskHandler | undefined;
	store: () => ScheduledTaskStore | undefined;
	log: { info: (m: string) => void; warn: (m: string) => void };
	/** How often to check Redis still holds every schedule (default 15 s: one ZRANGE, and a restarted Redis heals quickly). */
	checkEveryMs?: number;
}

/**
 * Owns the schedule's health: reconciles repeatables once the pieces are loaded and then every
 * minute (so a Redis restart without persistence heals itself), and closes the BullMQ queue and
 * worker first at shutdown so no new job starts while services flush.
 */
export class SchedulerService implements Service {
	public readonly name = 'scheduler';
	private timer: NodeJS.Timeout | undefined;
	public lastCheck: { at: number; ok: boolean; removed: string[]; created: string[] } | undefined;

	public constructor(private readonly options: SchedulerServiceOptions) {}

	/** Called from the ready listener, when the task store is loaded. */
	public beginWatching(): void {
		void this.check();
		this.timer ??= setInterval(() => void this.check(), this.options.checkEveryMs ?? 15_000);
		this.timer.unref();
	}

	public expected(): RepeatableSpec[] {
		const store = this.options.store();
		if (!store) return [];
		return store.repeatedTasks.map((task) => (task.interval ? { name: task.name, every: task.interval } : { name: task.name, pattern: task.pattern!, tz: task.timezone }));
	}

	public async check(): Promise<void> {
		const tasks = this.options.tasks();
		if (!tasks) return;
		try {
			const { removed, missing } = await reconcileRepeatables(tasks.client as unknown as RepeatableQueue, this.expected());
			if (missing.length > 0) {
				await tasks.createRepeated(
					missing.map((spec) => ({
						name: spec.name as never,
						options: spec.every ? { repeated: true, interval: spec.every } : { repeated: true, pattern: spec.pattern!, timezone: spec.tz ?? 'UTC' }
					}))
				);
			}
			if (removed.length > 0) this.options.log.info(`Removed stale task schedules: ${removed.join(', ')}.`);
			if (missing.length > 0 && this.lastCheck) this.options.log.warn(`Re-created lost task schedules: ${missing.map((s) => s.name).join(', ')}.`);
			this.lastCheck = { at: Date.now(), ok: true, removed, created: missing.map((s) => s.name) };
		} catch (error) {
			this.lastCheck = { at: Date.now(), ok: false, removed: [], created: [] };
			this.options.log.warn(`Could not check task schedules in Redis: ${(error as Error).message}`);
		}
	}

	public async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		await this.options.tasks()?.close();
	}
}
