import { ApplyOptions } from '@sapphire/decorators';
import { Route } from '@sapphire/plugin-api';
import { guarded } from '#lib/api/apiResponses.js';

/**
 * `/metrics`: Prometheus text exposition (Node default metrics and the nexus_* series). Sharded, the
 * whole fleet: this process's series plus every other shard's last published ones (label `shard`).
 */
@ApplyOptions<Route.Options>({ route: 'metrics', methods: ['GET'] })
export class PrometheusRoute extends Route {
	public override run(_request: Route.Request, response: Route.Response) {
		const { metrics, fleet } = this.container;
		return guarded(response, this.container.logger, 'prometheus', async () => {
			const text = fleet ? await fleet.metricsText() : await metrics.metricsText();
			response.setHeader('Content-Type', metrics.contentType);
			response.setHeader('Cache-Control', 'no-store');
			response.statusCode = 200;
			response.end(text);
		});
	}
}
