import { container } from '@sapphire/framework';
import { ScheduledTask } from '@sapphire/plugin-scheduled-tasks';

/** Midnight UTC (DAILY_SUMMARY_CRON): post every UTC day still owed a summary, exactly once across processes. */
export class DailySummaryTask extends ScheduledTask {
	public constructor(context: ScheduledTask.LoaderContext, options: ScheduledTask.Options) {
		super(context, {
			...options,
			pattern: container.config.DAILY_SUMMARY_CRON,
			timezone: 'UTC',
			customJobOptions: { removeOnComplete: true, removeOnFail: 100 }
		});
	}

	public override async run() {
		await this.container.dailySummary.run();
	}
}

declare module '@sapphire/plugin-scheduled-tasks' {
	interface ScheduledTasks {
		dailySummary: never;
	}
}
