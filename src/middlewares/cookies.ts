import { ApplyOptions } from '@sapphire/decorators';
import { Middleware } from '@sapphire/plugin-api';

/**
 * Takes the place of the plugin's `cookies` middleware (same piece name; user pieces load after the
 * plugin's). Ours uses no cookies (no OAuth; the token travels in the Authorization header), and the
 * plugin's parser throws on every request whose Host is the address it connects to, which is
 * exactly our default (`http://127.0.0.1:PORT`). Cookies sent by a browser are simply ignored.
 */
@ApplyOptions<Middleware.Options>({ position: 30 })
export class CookiesMiddleware extends Middleware {
	public override run() {
		// Nothing to parse: no route reads cookies.
	}
}
