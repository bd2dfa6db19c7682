import { ApplyOptions } from '@sapphire/decorators';
import { ScheduledTask } from '#lib/tasks/scheduledTaskPlugin.js';

/** Midnight UTC (DAILY_SUMMARY_CRON): post every UTC day still owed a summary, exactly once across processes. */
@ApplyOptions<ScheduledTask.Options>(({ container }) => ({
	pattern: container.config.DAILY_SUMMARY_CRON,
	timezone: 'UTC',
	customJobOptions: { removeOnComplete: true, removeOnFail: 100 }
}))
export class DailySummaryTask extends ScheduledTask {
	public override async run() {
		await this.container.dailySummary.run();
	}
}
