import { ApplyOptions } from '@sapphire/decorators';
import { Middleware } from '@sapphire/plugin-api';
import { apiRouteLabel } from '#lib/api/apiRouteLabel.js';

/** Counts every API request by route and status, with its handling time. Runs first, so 404s and 401s count too. */
@ApplyOptions<Middleware.Options>({ position: 1 })
export class RequestMetricsMiddleware extends Middleware {
	public override run(request: Middleware.Request, response: Middleware.Response) {
		const started = performance.now();
		const { metrics } = this.container;
		let recorded = false;
		const record = () => {
			if (recorded) return;
			recorded = true;
			const route = apiRouteLabel(request);
			// A client that hung up before the answer gets status 499 (nginx's convention), not the status we meant to send.
			const status = response.writableFinished ? response.statusCode : 499;
			metrics.apiRequests.inc({ route, status });
			metrics.apiRequestDuration.observe({ route }, (performance.now() - started) / 1000);
		};
		response.once('finish', record);
		response.once('close', record);
	}
}
