import { container } from '@sapphire/framework';
import { ScheduledTask } from '@sapphire/plugin-scheduled-tasks';

/** Health report to the Performance channel, every MONITOR_HEALTH_INTERVAL_MS. */
export class MonitorHealthTask extends ScheduledTask {
	public constructor(context: ScheduledTask.LoaderContext, options: ScheduledTask.Options) {
		super(context, { ...options, interval: container.config.MONITOR_HEALTH_INTERVAL_MS, enabled: container.config.MONITOR_ENABLED, customJobOptions: { removeOnComplete: true, removeOnFail: 50 } });
	}

	public override async run() {
		// Sharded: read every shard's latest snapshot first, so the report covers the whole fleet (bounded; never fails the job).
		if (this.container.fleet) await this.container.fleet.snapshot().catch(() => undefined);
		return this.container.monitor.runJob('health');
	}
}

declare module '@sapphire/plugin-scheduled-tasks' {
	interface ScheduledTasks {
		monitorHealth: never;
	}
}
