import { discordError, type RestRouter } from '../RestRouter.js';
import type { SandboxContext } from '../SandboxContext.js';

/** Gateway discovery, the bot user and the application. */
export function registerMetaRoutes(router: RestRouter, ctx: SandboxContext): void {
	const application = () => ({
		id: ctx.applicationId,
		name: ctx.botUser.username,
		icon: null,
		description: 'Local Discord sandbox application',
		summary: '',
		type: null,
		bot_public: true,
		bot_require_code_grant: false,
		verify_key: '0'.repeat(64),
		flags: 0,
		hook: true,
		is_monetized: false,
		owner: ctx.applicationOwner,
		team: null,
		bot: ctx.botUser,
		approximate_guild_count: ctx.state.guilds.size,
		redirect_uris: [],
		interactions_endpoint_url: null,
		tags: [],
		integration_types_config: { '0': {} }
	});

	router
		.add({ method: 'GET', pattern: '/gateway', handler: () => ({ status: 200, body: { url: ctx.gatewayUrl() } }) })
		.add({
			method: 'GET',
			pattern: '/gateway/bot',
			handler: () => ({
				status: 200,
				body: {
					url: ctx.gatewayUrl(),
					shards: ctx.shardCount,
					session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: ctx.maxConcurrency }
				}
			})
		})
		.add({
			method: 'GET',
			pattern: '/users/@me',
			handler: () => ({ status: 200, body: { ...ctx.botUser, verified: true, mfa_enabled: false, flags: 0, locale: 'en-US', email: null } })
		})
		.add({
			method: 'GET',
			pattern: '/users/:id',
			handler: (req) => {
				const user = ctx.state.users.get(req.params[0]) ?? (req.params[0] === ctx.botUser.id ? ctx.botUser : undefined);
				return user ? { status: 200, body: user } : discordError(404, 10013, 'Unknown User');
			}
		})
		.add({ method: 'GET', pattern: '/applications/@me', handler: () => ({ status: 200, body: application() }) })
		.add({ method: 'GET', pattern: '/oauth2/applications/@me', handler: () => ({ status: 200, body: application() }) });
}
