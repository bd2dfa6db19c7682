import { Constants, type Client, type GatewayMessageCreateDispatchData, type MessageType } from 'discord.js';

const COUNTED_TYPES: ReadonlySet<MessageType> = new Set(Constants.NonSystemMessageTypes);

/**
 * Nexus counts messages from the raw MESSAGE_CREATE dispatch (src/listeners/capture/messageCreate.ts)
 * and never reads a Message object. discord.js would still build one for every message (author,
 * member and mentions included) just to emit `messageCreate`, which nobody here listens to: about a
 * third of the whole bot's CPU per message, measured with bench/lean. This turns that off.
 *
 * It replaces the handler of discord.js's (internal) MessageCreate action on this client only.
 * Returns false, and changes nothing, where that action is not found (a discord.js that moved it):
 * the bot then works as before, only slower.
 */
export function skipMessageObjects(client: Client): boolean {
	const action = (client as unknown as { actions?: { MessageCreate?: { handle?: unknown } } }).actions?.MessageCreate;
	if (!action || typeof action.handle !== 'function') return false;
	action.handle = () => ({});
	return true;
}

/** What the capture path needs from a raw MESSAGE_CREATE; undefined for messages that are not counted. */
export function countableMessage(data: GatewayMessageCreateDispatchData, selfId: string | undefined) {
	// DMs, the bot's own posts (reports, /guildstats replies) and system messages (joins, boosts, pins) are not activity.
	if (!('guild_id' in data) || !data.guild_id || data.author.id === selfId || !COUNTED_TYPES.has(data.type)) return undefined;
	return { guildId: data.guild_id, channelId: data.channel_id, userId: data.author.id, bot: data.author.bot === true };
}
