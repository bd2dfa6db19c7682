import { Route } from '@sapphire/plugin-api';

/** `/` -> the dashboard. */
export class RootRoute extends Route {
	public constructor(context: Route.LoaderContext) {
		super(context, { route: '/', methods: ['GET'], public: true });
	}

	public override run(_request: Route.Request, response: Route.Response) {
		response.statusCode = 302;
		response.setHeader('Location', '/dashboard');
		response.end();
	}
}
