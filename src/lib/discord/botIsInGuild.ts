import { DiscordAPIError, Routes, type Client } from 'discord.js';

/**
 * Whether the bot is in a guild, for the whole fleet: this shard's cache first, otherwise Discord
 * (GET /guilds/:id answers only for guilds the bot is in; 403/404 otherwise). Rejects when Discord
 * cannot tell (outage, 5xx): callers must then not act as if the bot had left.
 */
export function botIsInGuild(client: Client): (guildId: string) => Promise<boolean> {
	return async (guildId) => {
		if (client.guilds.cache.has(guildId)) return true;
		try {
			await client.rest.get(Routes.guild(guildId));
			return true;
		} catch (error) {
			if (error instanceof DiscordAPIError && (error.status === 403 || error.status === 404)) return false;
			throw error;
		}
	};
}
