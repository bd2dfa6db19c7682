import { ApplyOptions } from '@sapphire/decorators';
import { ScheduledTask } from '#lib/tasks/scheduledTaskPlugin.js';
import { botIsInGuild } from '#lib/discord/botIsInGuild.js';
import { runRetention } from '#lib/stats/runRetention.js';

/** RETENTION_CRON (03:30 UTC daily by default), once for the fleet: roll up per-member hours, prune buckets past retention and due guild deletions; result to Logs. */
@ApplyOptions<ScheduledTask.Options>(({ container }) => ({
	pattern: container.config.RETENTION_CRON,
	timezone: 'UTC',
	customJobOptions: { removeOnComplete: true, removeOnFail: 100 }
}))
export class StatsRetentionTask extends ScheduledTask {
	public override async run() {
		const { config, stats, reporter, client } = this.container;
		await runRetention({
			stats,
			reporter,
			hourlyDays: config.RETENTION_HOURLY_DAYS,
			dailyDays: config.RETENTION_DAILY_DAYS,
			memberHourlyDays: config.STATS_MEMBER_HOURLY_DAYS,
			stillIn: botIsInGuild(client)
		});
	}
}
