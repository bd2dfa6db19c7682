import { ApplyOptions } from '@sapphire/decorators';
import { ScheduledTask } from '#lib/tasks/scheduledTaskPlugin.js';

/** Every REPORT_ANALYTICS_INTERVAL_MS, once for the whole fleet: activity since the last report, to Analytics. */
@ApplyOptions<ScheduledTask.Options>(({ container }) => ({
	interval: container.config.REPORT_ANALYTICS_INTERVAL_MS,
	customJobOptions: { removeOnComplete: true, removeOnFail: 100 }
}))
export class AnalyticsReportTask extends ScheduledTask {
	public override async run() {
		await this.container.analyticsReport.run();
	}
}
