import { ApplyOptions } from '@sapphire/decorators';
import { ScheduledTask } from '#lib/tasks/scheduledTaskPlugin.js';

/** System sample (CPU, memory, disk, network) and its alerts, every MONITOR_SYSTEM_INTERVAL_MS. */
@ApplyOptions<ScheduledTask.Options>(({ container }) => ({ interval: container.config.MONITOR_SYSTEM_INTERVAL_MS, enabled: container.config.MONITOR_ENABLED, customJobOptions: { removeOnComplete: true, removeOnFail: 50 } }))
export class MonitorSystemTask extends ScheduledTask {
	public override run() {
		return this.container.monitor.runJob('system');
	}
}
