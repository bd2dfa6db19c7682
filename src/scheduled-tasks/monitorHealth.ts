import { ApplyOptions } from '@sapphire/decorators';
import { ScheduledTask } from '#lib/tasks/scheduledTaskPlugin.js';

/** Health report to the Performance channel, every MONITOR_HEALTH_INTERVAL_MS. */
@ApplyOptions<ScheduledTask.Options>(({ container }) => ({ interval: container.config.MONITOR_HEALTH_INTERVAL_MS, enabled: container.config.MONITOR_ENABLED, customJobOptions: { removeOnComplete: true, removeOnFail: 50 } }))
export class MonitorHealthTask extends ScheduledTask {
	public override async run() {
		// Sharded: read every shard's latest snapshot first, so the report covers the whole fleet (bounded; never fails the job).
		if (this.container.fleet) await this.container.fleet.snapshot().catch(() => undefined);
		return this.container.monitor.runJob('health');
	}
}
