import { ApplyOptions } from '@sapphire/decorators';
import { ScheduledTask } from '#lib/tasks/scheduledTaskPlugin.js';

/** Command analyzer report (runs, failures, p95, slowest), every MONITOR_COMMAND_INTERVAL_MS. */
@ApplyOptions<ScheduledTask.Options>(({ container }) => ({ interval: container.config.MONITOR_COMMAND_INTERVAL_MS, enabled: container.config.MONITOR_ENABLED, customJobOptions: { removeOnComplete: true, removeOnFail: 50 } }))
export class MonitorCommandsTask extends ScheduledTask {
	public override run() {
		return this.container.monitor.runJob('commands');
	}
}
