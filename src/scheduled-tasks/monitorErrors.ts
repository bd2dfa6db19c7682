import { ApplyOptions } from '@sapphire/decorators';
import { ScheduledTask } from '#lib/tasks/scheduledTaskPlugin.js';

/** Error rate over the window, every MONITOR_ERROR_INTERVAL_MS. */
@ApplyOptions<ScheduledTask.Options>(({ container }) => ({ interval: container.config.MONITOR_ERROR_INTERVAL_MS, enabled: container.config.MONITOR_ENABLED, customJobOptions: { removeOnComplete: true, removeOnFail: 50 } }))
export class MonitorErrorsTask extends ScheduledTask {
	public override run() {
		return this.container.monitor.runJob('errors');
	}
}
