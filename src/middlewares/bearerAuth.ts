import { ApplyOptions } from '@sapphire/decorators';
import { Middleware } from '@sapphire/plugin-api';
import { BearerAuth } from '#lib/api/BearerAuth.js';
import { isPublicRoute } from '#lib/api/routeAccess.js';

/** Every route needs `Authorization: Bearer <API_TOKEN>` unless it is declared public. */
@ApplyOptions<Middleware.Options>({
	// After the plugin's own middlewares (headers 10 ... auth 40): unknown paths have had their 404 by now.
	position: 50
})
export class BearerAuthMiddleware extends Middleware {
	// config.ts refuses API_PORT without API_TOKEN, and this store only exists when API_PORT is set.
	private readonly auth = new BearerAuth(this.container.config.API_TOKEN!);

	public override run(request: Middleware.Request, response: Middleware.Response) {
		if (!request.route || isPublicRoute(request.route)) return;
		if (this.auth.verify(request.headers.authorization)) return;
		// Same answer for a missing and a wrong token; nothing from the request is echoed.
		response.setHeader('WWW-Authenticate', 'Bearer');
		response.setHeader('Cache-Control', 'no-store');
		response.status(401).json({ error: 'unauthorized' });
	}
}
