import { ApplyOptions } from '@sapphire/decorators';
import { Route } from '@sapphire/plugin-api';
import { sendJson } from '#lib/api/apiResponses.js';

/** Liveness: the process answers HTTP. No token, no dependency checks (a restart would not fix Redis). */
@ApplyOptions<Route.Options>({ route: 'api/health/live', methods: ['GET'], public: true })
export class HealthLiveRoute extends Route {
	public override run(_request: Route.Request, response: Route.Response) {
		sendJson(response, 200, { status: 'ok' });
	}
}
