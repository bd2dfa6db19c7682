import { container } from '@sapphire/framework';
import { ScheduledTask } from '@sapphire/plugin-scheduled-tasks';

/** Command analyzer report (runs, failures, p95, slowest), every MONITOR_COMMAND_INTERVAL_MS. */
export class MonitorCommandsTask extends ScheduledTask {
	public constructor(context: ScheduledTask.LoaderContext, options: ScheduledTask.Options) {
		super(context, { ...options, interval: container.config.MONITOR_COMMAND_INTERVAL_MS, enabled: container.config.MONITOR_ENABLED, customJobOptions: { removeOnComplete: true, removeOnFail: 50 } });
	}

	public override run() {
		return this.container.monitor.runJob('commands');
	}
}

declare module '@sapphire/plugin-scheduled-tasks' {
	interface ScheduledTasks {
		monitorCommands: never;
	}
}
