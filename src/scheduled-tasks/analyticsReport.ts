import { container } from '@sapphire/framework';
import { ScheduledTask } from '@sapphire/plugin-scheduled-tasks';

/** Every REPORT_ANALYTICS_INTERVAL_MS, once for the whole fleet: activity since the last report, to Analytics. */
export class AnalyticsReportTask extends ScheduledTask {
	public constructor(context: ScheduledTask.LoaderContext, options: ScheduledTask.Options) {
		super(context, {
			...options,
			interval: container.config.REPORT_ANALYTICS_INTERVAL_MS,
			customJobOptions: { removeOnComplete: true, removeOnFail: 100 }
		});
	}

	public override async run() {
		await this.container.analyticsReport.run();
	}
}

declare module '@sapphire/plugin-scheduled-tasks' {
	interface ScheduledTasks {
		analyticsReport: never;
	}
}
