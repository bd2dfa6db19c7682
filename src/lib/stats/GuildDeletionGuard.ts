export interface GuildDeletionStore {
	scheduleGuildDeletion(guildId: string, at: number): Promise<void>;
	cancelGuildDeletion(guildId: string): Promise<void>;
	pendingGuildDeletions(): Promise<string[]>;
}

/**
 * Keeps the data of guilds the bot is in. A deletion is scheduled when the bot leaves a guild;
 * any sign that the bot is in it (READY/GUILD_CREATE of any kind: a new guild, a guild of the
 * start-up READY after a re-invite while the bot was down, a guild available again after a
 * re-identify) cancels it. The pending set is read from the store once, so the thousands of
 * guilds arriving at start cost one query, not one each.
 */
export class GuildDeletionGuard {
	private pending: Promise<Set<string>> | undefined;

	public constructor(private readonly store: GuildDeletionStore) {}

	/** The bot left: delete at `at` unless it is back by then. */
	public async schedule(guildId: string, at: number): Promise<void> {
		await this.store.scheduleGuildDeletion(guildId, at);
		(await this.load()).add(guildId);
	}

	/** The bot is in this guild: cancel its pending deletion. Resolves true when there was one. */
	public async present(guildId: string): Promise<boolean> {
		const pending = await this.load();
		if (!pending.has(guildId)) return false;
		await this.store.cancelGuildDeletion(guildId);
		pending.delete(guildId);
		return true;
	}

	private load(): Promise<Set<string>> {
		this.pending ??= this.store.pendingGuildDeletions().then(
			(ids) => new Set(ids),
			(error: unknown) => {
				// Read again next time (the database may be back).
				this.pending = undefined;
				throw error;
			}
		);
		return this.pending;
	}
}
