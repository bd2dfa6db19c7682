import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';

/** Why Discord refused for good: the target is gone or the bot may not touch it. Retrying cannot help. */
export type PermanentFailure = 'channel-gone' | 'message-gone' | 'no-permission';

export function permanentFailure(error: unknown): PermanentFailure | null {
	if (!(error instanceof DiscordAPIError)) return null;
	switch (error.code) {
		case RESTJSONErrorCodes.UnknownChannel:
		case RESTJSONErrorCodes.UnknownGuild:
			return 'channel-gone';
		case RESTJSONErrorCodes.UnknownMessage:
			return 'message-gone';
		case RESTJSONErrorCodes.MissingAccess:
		case RESTJSONErrorCodes.MissingPermissions:
			return 'no-permission';
		default:
			return null;
	}
}
