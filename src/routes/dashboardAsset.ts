import { ApplyOptions } from '@sapphire/decorators';
import { Route } from '@sapphire/plugin-api';
import { DashboardAssets, sendDashboardAsset } from '#lib/api/DashboardAssets.js';
import { guarded, sendJson } from '#lib/api/apiResponses.js';

/** `/dashboard/app.js`, `style.css`, `chart.js` (Chart.js UMD from node_modules): a fixed list, no file-system paths from the URL. */
@ApplyOptions<Route.Options>({ route: 'dashboard/[asset]', methods: ['GET'], public: true })
export class DashboardAssetRoute extends Route {
	private readonly assets = new DashboardAssets();

	public override run(request: Route.Request, response: Route.Response) {
		const name = request.params.asset ?? '';
		if (!DashboardAssets.isAsset(name)) return sendJson(response, 404, { error: 'not found' });
		return guarded(response, this.container.logger, 'dashboard asset', () => sendDashboardAsset(response, this.assets.get(name)));
	}
}
