import { container } from '@sapphire/framework';
import { ScheduledTask } from '@sapphire/plugin-scheduled-tasks';

/** System sample (CPU, memory, disk, network) and its alerts, every MONITOR_SYSTEM_INTERVAL_MS. */
export class MonitorSystemTask extends ScheduledTask {
	public constructor(context: ScheduledTask.LoaderContext, options: ScheduledTask.Options) {
		super(context, { ...options, interval: container.config.MONITOR_SYSTEM_INTERVAL_MS, enabled: container.config.MONITOR_ENABLED, customJobOptions: { removeOnComplete: true, removeOnFail: 50 } });
	}

	public override run() {
		return this.container.monitor.runJob('system');
	}
}

declare module '@sapphire/plugin-scheduled-tasks' {
	interface ScheduledTasks {
		monitorSystem: never;
	}
}
