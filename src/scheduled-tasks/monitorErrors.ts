import { container } from '@sapphire/framework';
import { ScheduledTask } from '@sapphire/plugin-scheduled-tasks';

/** Error rate over the window, every MONITOR_ERROR_INTERVAL_MS. */
export class MonitorErrorsTask extends ScheduledTask {
	public constructor(context: ScheduledTask.LoaderContext, options: ScheduledTask.Options) {
		super(context, { ...options, interval: container.config.MONITOR_ERROR_INTERVAL_MS, enabled: container.config.MONITOR_ENABLED, customJobOptions: { removeOnComplete: true, removeOnFail: 50 } });
	}

	public override run() {
		return this.container.monitor.runJob('errors');
	}
}

declare module '@sapphire/plugin-scheduled-tasks' {
	interface ScheduledTasks {
		monitorErrors: never;
	}
}
