import { discordError, type RestRequest, type RestResponse, type RestRouter } from '../RestRouter.js';
import type { SandboxContext } from '../SandboxContext.js';
import type { ApplicationCommand } from '../types.js';

const NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/**
 * Application command registration, global and guild-scoped. Commands are echoed back exactly as
 * sent plus id, application_id, version and type (default 1): Discord's extra defaults would make
 * Sapphire see a difference and PATCH on every start.
 */
export function registerCommandRoutes(router: RestRouter, ctx: SandboxContext): void {
	const scopeOf = (req: RestRequest): { guildId?: string } | RestResponse => {
		if (req.params[0] !== ctx.applicationId) return discordError(404, 10002, 'Unknown Application');
		const guildId = req.params[1] && req.path.includes('/guilds/') ? req.params[1] : undefined;
		if (guildId !== undefined && !ctx.state.guild(guildId)) return discordError(403, 50001, 'Missing Access');
		return { guildId };
	};
	const isError = (value: unknown): value is RestResponse => typeof value === 'object' && value !== null && 'status' in value;
	/** The command the last path segment names, in the request's scope; a command of another scope is unknown (404 10063). */
	const scopedCommand = (req: RestRequest): { scope: { guildId?: string }; command: ApplicationCommand } | RestResponse => {
		const scope = scopeOf(req);
		if (isError(scope)) return scope;
		const command = ctx.state.commands.get(req.params.at(-1)!);
		return command && command.guild_id === scope.guildId ? { scope, command } : discordError(404, 10063, 'Unknown application command');
	};

	const build = (body: Record<string, unknown>, scope: { guildId?: string }, existing?: ApplicationCommand): ApplicationCommand => {
		const { id: _id, application_id: _app, version: _version, guild_id: _guild, ...sent } = body;
		return {
			...sent,
			id: existing?.id ?? ctx.ids.next(),
			application_id: ctx.applicationId,
			...(scope.guildId ? { guild_id: scope.guildId } : {}),
			version: ctx.ids.next(),
			type: Number(sent.type ?? 1),
			name: String(sent.name)
		};
	};

	const invalid = (body: unknown): RestResponse | null => {
		const cmd = (body ?? {}) as Record<string, unknown>;
		const errors: Record<string, unknown> = {};
		const type = Number(cmd.type ?? 1);
		if (typeof cmd.name !== 'string' || !NAME.test(cmd.name) || (type === 1 && cmd.name !== cmd.name.toLowerCase())) {
			errors.name = { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }] };
		}
		if (type === 1 && (typeof cmd.description !== 'string' || cmd.description.length < 1 || cmd.description.length > 100)) {
			errors.description = { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] };
		}
		if (Array.isArray(cmd.options) && cmd.options.length > 25) {
			errors.options = { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }] };
		}
		return Object.keys(errors).length ? { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors } } : null;
	};

	const sameKind = (a: ApplicationCommand, body: Record<string, unknown>) => a.name === body.name && a.type === Number(body.type ?? 1);

	for (const base of ['/applications/:id/commands', '/applications/:id/guilds/:id/commands']) {
		router
			.add({
				method: 'GET',
				pattern: base,
				handler: (req) => {
					const scope = scopeOf(req);
					return isError(scope) ? scope : { status: 200, body: ctx.state.commandsIn(scope) };
				}
			})
			.add({
				method: 'PUT',
				pattern: base,
				handler: (req) => {
					const scope = scopeOf(req);
					if (isError(scope)) return scope;
					if (!Array.isArray(req.body)) return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: { _errors: [{ code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }] } } };
					for (const [i, cmd] of req.body.entries()) {
						const failure = invalid(cmd);
						if (failure) return { status: 400, body: { ...(failure.body as object), errors: { [i]: (failure.body as { errors: unknown }).errors } } };
					}
					const previous = ctx.state.commandsIn(scope);
					for (const cmd of previous) ctx.state.commands.delete(cmd.id);
					const created = (req.body as Array<Record<string, unknown>>).map((body) => {
						const command = build(body, scope, previous.find((p) => sameKind(p, body)));
						ctx.state.commands.set(command.id, command);
						return command;
					});
					return { status: 200, body: created };
				}
			})
			.add({
				method: 'POST',
				pattern: base,
				handler: (req) => {
					const scope = scopeOf(req);
					if (isError(scope)) return scope;
					const failure = invalid(req.body);
					if (failure) return failure;
					const body = req.body as Record<string, unknown>;
					// POSTing an existing name overwrites it (200), a new one is created (201).
					const existing = ctx.state.commandsIn(scope).find((cmd) => sameKind(cmd, body));
					const command = build(body, scope, existing);
					ctx.state.commands.set(command.id, command);
					return { status: existing ? 200 : 201, body: command };
				}
			})
			.add({
				method: 'GET',
				pattern: `${base}/:id`,
				handler: (req) => {
					const found = scopedCommand(req);
					return isError(found) ? found : { status: 200, body: found.command };
				}
			})
			.add({
				method: 'PATCH',
				pattern: `${base}/:id`,
				handler: (req) => {
					const found = scopedCommand(req);
					if (isError(found)) return found;
					const { scope, command: existing } = found;
					const merged = { ...existing, ...(req.body as Record<string, unknown>) };
					const failure = invalid(merged);
					if (failure) return failure;
					const command = build(merged, scope, existing);
					ctx.state.commands.set(command.id, command);
					return { status: 200, body: command };
				}
			})
			.add({
				method: 'DELETE',
				pattern: `${base}/:id`,
				handler: (req) => {
					const found = scopedCommand(req);
					if (isError(found)) return found;
					ctx.state.commands.delete(found.command.id);
					return { status: 204 };
				}
			});
	}
}
