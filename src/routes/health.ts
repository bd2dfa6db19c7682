import { ApplyOptions } from '@sapphire/decorators';
import { Route } from '@sapphire/plugin-api';
import { guarded, sendJson } from '#lib/api/apiResponses.js';
import { runHealthChecks, type HealthProbe } from '#lib/api/HealthChecks.js';
import { nexusHealthProbes } from '#lib/api/nexusHealthProbes.js';

/** Readiness for pm2/Kubernetes probes: 200 when the gateway, Redis (when configured) and the store all answer, else 503 naming the failing part. */
@ApplyOptions<Route.Options>({ route: 'api/health', methods: ['GET'] })
export class HealthRoute extends Route {
	private readonly probes: Record<string, HealthProbe> = nexusHealthProbes({
		shards: () => this.container.client.ws.shards.values(),
		// The embedded scheduler (no REDIS_URL) needs no Redis, so there is nothing to probe.
		redis: this.container.config.REDIS_URL ? () => this.container.tasks.client.client : undefined,
		db: () => this.container.stats.store.db
	});

	public override run(_request: Route.Request, response: Route.Response) {
		return guarded(response, this.container.logger, 'health', async () => {
			const result = await runHealthChecks(this.probes, { timeoutMs: 1000 });
			sendJson(response, result.status === 'ok' ? 200 : 503, result);
		});
	}
}
