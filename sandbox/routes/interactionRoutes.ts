import { MessageFlags } from '../MessageService.js';
import type { InteractionRecord } from '../SandboxState.js';
import { discordError, type RestRequest, type RestResponse, type RestRouter } from '../RestRouter.js';
import type { SandboxContext } from '../SandboxContext.js';
import type { StoredMessage } from '../types.js';
import { validateMessagePayload } from '../validateMessagePayload.js';

const Callback = { Pong: 1, ChannelMessageWithSource: 4, DeferredChannelMessageWithSource: 5, DeferredMessageUpdate: 6, UpdateMessage: 7, AutocompleteResult: 8, Modal: 9 } as const;

/**
 * Interaction callbacks (first answer within the deadline, only once) and the interaction webhook:
 * @original GET/PATCH/DELETE, followups (the first one after a defer completes the original).
 */
export function registerInteractionRoutes(router: RestRouter, ctx: SandboxContext): void {
	const originalOf = (it: InteractionRecord): StoredMessage | undefined => (it.originalMessageId ? ctx.state.message(it.originalMessageId) : undefined);
	const isResponse = (value: unknown): value is RestResponse => typeof value === 'object' && value !== null && 'status' in value && !('token' in value);

	const interactionForWebhook = (req: RestRequest): InteractionRecord | RestResponse => {
		const [appId, token] = req.params;
		const it = ctx.state.interactionsByToken.get(token);
		if (!it || appId !== ctx.applicationId) return discordError(404, 10015, 'Unknown Webhook');
		if (ctx.now() - it.createdAt > ctx.interactionTokenTtlMs) return discordError(401, 50027, 'Invalid Webhook Token');
		return it;
	};
	const validate = (body: unknown, files: RestRequest['files'], partial: boolean): RestResponse | null =>
		ctx.validate ? validateMessagePayload(body, files, { partial }) : null;
	const channelOf = (it: InteractionRecord) => ctx.state.channel(it.channelId);

	router.add({
		method: 'POST',
		pattern: '/interactions/:id/:token/callback',
		tokenRoute: true,
		handler: (req) => {
			const [id, token] = req.params;
			const it = ctx.state.interactions.get(id);
			if (!it || it.token !== token) return discordError(404, 10062, 'Unknown interaction');
			if (it.ackType !== null) return discordError(400, 40060, 'Interaction has already been acknowledged.');
			if (ctx.now() - it.createdAt > ctx.interactionDeadlineMs) return discordError(404, 10062, 'Unknown interaction');
			const body = (req.body ?? {}) as { type?: number; data?: Record<string, unknown> };
			const data = body.data ?? {};
			const ephemeral = (Number(data.flags) & MessageFlags.Ephemeral) !== 0;
			const channel = channelOf(it);
			let message: StoredMessage | undefined;
			switch (body.type) {
				case Callback.ChannelMessageWithSource: {
					const failure = validate(data, req.files, false);
					if (failure) return failure;
					if (!channel) return discordError(404, 10003, 'Unknown Channel');
					message = ctx.messages.botMessage({ channel, body: data, files: req.files, source: 'interaction', interaction: it });
					break;
				}
				case Callback.DeferredChannelMessageWithSource:
					if (!channel) return discordError(404, 10003, 'Unknown Channel');
					message = ctx.messages.botMessage({ channel, body: { flags: data.flags }, files: [], source: 'interaction', interaction: it, flags: MessageFlags.Loading });
					break;
				case Callback.Modal:
					break;
				default:
					return {
						status: 400,
						body: { code: 50035, message: 'Invalid Form Body', errors: { type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: 'Interaction response type is invalid for this interaction type' }] } } }
					};
			}
			it.ackType = body.type;
			it.ackAt = ctx.now();
			it.ephemeral = ephemeral;
			if (message) it.originalMessageId = message.id;
			if (req.query.with_response !== 'true') return { status: 204 };
			return {
				status: 200,
				body: {
					interaction: {
						id: it.id,
						type: 2,
						response_message_id: message?.id,
						response_message_loading: body.type === Callback.DeferredChannelMessageWithSource,
						response_message_ephemeral: ephemeral
					},
					resource: { type: body.type, ...(message ? { message: message.raw } : {}) }
				}
			};
		}
	});

	const messageRoute = (pattern: string, method: string, handler: (it: InteractionRecord, req: RestRequest, target: StoredMessage | undefined) => RestResponse) => {
		router.add({
			method,
			pattern,
			tokenRoute: true,
			handler: (req) => {
				const it = interactionForWebhook(req);
				if (isResponse(it)) return it;
				const messageId = pattern.endsWith('@original') ? it.originalMessageId : req.params[2];
				const target = messageId ? ctx.state.message(messageId) : undefined;
				const belongs = target && !target.deleted && target.interactionId === it.id;
				return handler(it, req, belongs ? target : undefined);
			}
		});
	};

	for (const pattern of ['/webhooks/:id/:token/messages/@original', '/webhooks/:id/:token/messages/:id']) {
		messageRoute(pattern, 'GET', (_it, _req, target) => (target ? { status: 200, body: target.raw } : discordError(404, 10008, 'Unknown Message')));
		messageRoute(pattern, 'PATCH', (it, req, target) => {
			if (it.ackType === null) return discordError(404, 10015, 'Unknown Webhook');
			if (!target) return discordError(404, 10008, 'Unknown Message');
			const failure = validate(req.body, req.files, true);
			if (failure) return failure;
			return { status: 200, body: ctx.messages.edit(target, (req.body ?? {}) as Record<string, unknown>, req.files).raw };
		});
		messageRoute(pattern, 'DELETE', (_it, _req, target) => {
			if (!target) return discordError(404, 10008, 'Unknown Message');
			ctx.messages.delete(target);
			return { status: 204 };
		});
	}

	router.add({
		method: 'POST',
		pattern: '/webhooks/:id/:token',
		tokenRoute: true,
		handler: (req) => {
			const it = interactionForWebhook(req);
			if (isResponse(it)) return it;
			if (it.ackType === null) return discordError(404, 10015, 'Unknown Webhook');
			const failure = validate(req.body, req.files, false);
			if (failure) return failure;
			const body = (req.body ?? {}) as Record<string, unknown>;
			const original = originalOf(it);
			let message: StoredMessage;
			if (original && !original.deleted && original.flags & MessageFlags.Loading) {
				// Discord: the first followup after a defer fills in the deferred original.
				message = ctx.messages.edit(original, body, req.files);
			} else {
				const channel = channelOf(it);
				if (!channel) return discordError(404, 10003, 'Unknown Channel');
				message = ctx.messages.botMessage({ channel, body, files: req.files, source: 'followup', interaction: it });
				it.followupIds.push(message.id);
			}
			return req.query.wait === 'true' ? { status: 200, body: message.raw } : { status: 204 };
		}
	});
}
