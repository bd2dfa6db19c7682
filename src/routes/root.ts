import { ApplyOptions } from '@sapphire/decorators';
import { Route } from '@sapphire/plugin-api';

/** `/` -> the dashboard. */
@ApplyOptions<Route.Options>({ route: '/', methods: ['GET'], public: true })
export class RootRoute extends Route {
	public override run(_request: Route.Request, response: Route.Response) {
		response.statusCode = 302;
		response.setHeader('Location', '/dashboard');
		response.end();
	}
}
