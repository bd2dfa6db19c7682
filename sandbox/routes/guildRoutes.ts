import { guildObject, isThread } from '../payloads.js';
import { compareIds, type GuildRecord } from '../SandboxState.js';
import { discordError, type RestResponse, type RestRouter } from '../RestRouter.js';
import type { SandboxContext } from '../SandboxContext.js';

const limitError = (max: number): RestResponse => ({
	status: 400,
	body: { code: 50035, message: 'Invalid Form Body', errors: { limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: `int value should be less than or equal to ${max}.` }] } } }
});

/** Guilds, their channels, roles, members (single, list with limit/after, search) and voice states. */
export function registerGuildRoutes(router: RestRouter, ctx: SandboxContext): void {
	const withGuild = (id: string, fn: (guild: GuildRecord) => RestResponse): RestResponse => {
		const guild = ctx.state.guild(id);
		return guild ? fn(guild) : discordError(404, 10004, 'Unknown Guild');
	};
	const userId = (id: string) => (id === '@me' ? ctx.botUser.id : id);

	router
		.add({
			method: 'GET',
			pattern: '/guilds/:id',
			handler: (req) =>
				withGuild(req.params[0], (guild) => ({
					status: 200,
					body: {
						...guildObject(guild),
						...(req.query.with_counts === 'true' ? { approximate_member_count: guild.members.size, approximate_presence_count: Math.round(guild.members.size / 3) } : {})
					}
				}))
		})
		.add({
			method: 'GET',
			pattern: '/guilds/:id/channels',
			handler: (req) => withGuild(req.params[0], (guild) => ({ status: 200, body: ctx.state.guildChannels(guild.id).filter((c) => !isThread(c)) }))
		})
		.add({
			method: 'GET',
			pattern: '/guilds/:id/roles',
			handler: (req) => withGuild(req.params[0], (guild) => ({ status: 200, body: [...guild.roles.values()] }))
		})
		.add({
			method: 'GET',
			pattern: '/guilds/:id/members',
			handler: (req) =>
				withGuild(req.params[0], (guild) => {
					const limit = Number(req.query.limit ?? 1);
					if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return limitError(1000);
					const after = req.query.after ?? '0';
					const members = [...guild.members.values()].filter((m) => compareIds(m.user.id, after) > 0).sort((a, b) => compareIds(a.user.id, b.user.id));
					return { status: 200, body: members.slice(0, limit) };
				})
		})
		.add({
			method: 'GET',
			pattern: '/guilds/:id/members/search',
			handler: (req) =>
				withGuild(req.params[0], (guild) => {
					const limit = Number(req.query.limit ?? 1);
					if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return limitError(1000);
					const needle = (req.query.query ?? '').toLowerCase();
					const found = [...guild.members.values()].filter((m) => m.user.username.toLowerCase().startsWith(needle) || m.nick?.toLowerCase().startsWith(needle) || m.user.global_name?.toLowerCase().startsWith(needle));
					return { status: 200, body: found.slice(0, limit) };
				})
		})
		.add({
			method: 'GET',
			pattern: '/guilds/:id/members/:id',
			handler: (req) =>
				withGuild(req.params[0], (guild) => {
					const member = guild.members.get(userId(req.params[1]));
					return member ? { status: 200, body: member } : discordError(404, 10007, 'Unknown Member');
				})
		})
		.add({
			method: 'GET',
			pattern: '/guilds/:id/voice-states/:id',
			handler: (req) =>
				withGuild(req.params[0], (guild) => {
					const id = userId(req.params[1]);
					const state = guild.voiceStates.get(id);
					return state ? { status: 200, body: { ...state, guild_id: guild.id, member: guild.members.get(id) } } : discordError(404, 10065, 'Unknown Voice State');
				})
		});
}
