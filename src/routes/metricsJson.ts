import { ApplyOptions } from '@sapphire/decorators';
import { Route } from '@sapphire/plugin-api';
import { collectApiMetrics } from '#lib/api/apiMetricsSnapshot.js';
import { guarded, sendJson } from '#lib/api/apiResponses.js';
import { utcDay } from '#lib/reporting/summaryDays.js';
import { BOT_VERSION } from '#lib/version.js';

/** `/api/metrics`: the JSON snapshot (system, discord, modules, web, health), the last hour for the dashboard, and the fleet. */
@ApplyOptions<Route.Options>({ route: 'api/metrics', methods: ['GET'] })
export class MetricsJsonRoute extends Route {
	private readonly startedAt = Date.now() - process.uptime() * 1000;

	public override run(_request: Route.Request, response: Route.Response) {
		const { container } = this;
		return guarded(response, container.logger, 'metrics', async () => {
			const ledger = container.opsLedger as typeof container.opsLedger | undefined;
			const body = await collectApiMetrics({
				now: Date.now(),
				startedAt: this.startedAt,
				version: BOT_VERSION,
				metrics: container.metrics,
				monitor: container.monitor,
				reporter: container.reporter,
				stats: container.stats,
				statsEnabled: container.config.STATS_ENABLED,
				// Wired by the charts service; absent in a build without it.
				charts: container.charts as typeof container.charts | undefined,
				imageCache: container.imageCache as typeof container.imageCache | undefined,
				startsToday: ledger ? () => ledger.read(utcDay(Date.now())).then((day) => day.starts) : undefined
			});
			// Every shard's latency, status, guilds and events (this process only when Redis does not answer).
			const fleet = container.fleet ? await container.fleet.snapshot().catch(() => null) : null;
			sendJson(response, 200, { ...body, fleet });
		});
	}
}
