import { ApplyOptions } from '@sapphire/decorators';
import { Route } from '@sapphire/plugin-api';
import { DashboardAssets, sendDashboardAsset } from '#lib/api/DashboardAssets.js';
import { guarded } from '#lib/api/apiResponses.js';

/**
 * `/dashboard`: the page. Public, like its script and styles: they hold no data; the script asks
 * for the token and sends it with every /api/metrics call.
 */
@ApplyOptions<Route.Options>({ route: 'dashboard', methods: ['GET'], public: true })
export class DashboardRoute extends Route {
	private readonly assets = new DashboardAssets();

	public override run(_request: Route.Request, response: Route.Response) {
		return guarded(response, this.container.logger, 'dashboard', () => sendDashboardAsset(response, this.assets.get('index.html')));
	}
}
