import type { IgnoredKind, OptOutMode, PrivacySnapshot } from './statsTypes.js';

/** What the registry needs from the store (StatsStore implements it). */
export interface PrivacyPersistence {
	loadPrivacy(): Promise<PrivacySnapshot>;
	setOptOut(userId: string, mode: OptOutMode | null, at?: number): Promise<string[]>;
	setChannelIgnored(guildId: string, channelId: string, kind: IgnoredKind | null, at?: number): Promise<void>;
	setGuildDisabled(guildId: string, disabled: boolean, at?: number): Promise<void>;
}

const SEP = '\u0001';

/**
 * The capture-time privacy checks, answered from memory in O(1): opted-out members, ignored
 * channels and categories, disabled guilds. Loaded from the store at start (and on `load()` again
 * to pick up changes made by other shards); every change updates memory FIRST, so capture stops
 * at once, then persists, and is rolled back in memory if persisting fails.
 */
export class PrivacyRegistry {
	private optOuts = new Map<string, OptOutMode>();
	private ignored = new Map<string, IgnoredKind>();
	private disabled = new Set<string>();
	/** Bumped by every local change, so a load() that raced one does not overwrite it with an older snapshot. */
	private generation = 0;

	public constructor(private readonly persistence: PrivacyPersistence) {}

	/** (Re)loads every list from the store. Returns false when a local change raced it (nothing replaced). */
	public async load(): Promise<boolean> {
		const generation = this.generation;
		const snapshot = await this.persistence.loadPrivacy();
		if (generation !== this.generation) return false;
		this.replace(snapshot);
		return true;
	}

	/** Swaps in a snapshot (also used by tests). */
	public replace(snapshot: PrivacySnapshot): void {
		this.optOuts = new Map(snapshot.optOuts.map((entry) => [entry.userId, entry.mode]));
		this.ignored = new Map(snapshot.ignoredChannels.map((entry) => [entry.guildId + SEP + entry.channelId, entry.kind]));
		this.disabled = new Set(snapshot.disabledGuilds);
	}

	public isOptedOut(userId: string): boolean {
		return this.optOuts.has(userId);
	}

	public optOutMode(userId: string): OptOutMode | null {
		return this.optOuts.get(userId) ?? null;
	}

	/**
	 * True when the channel, or any of the given parents (a thread's parent channel, a channel's
	 * category), is ignored in this guild.
	 */
	public isChannelIgnored(guildId: string, channelId: string, ...parentIds: (string | null | undefined)[]): boolean {
		if (this.ignored.size === 0) return false;
		if (this.ignored.has(guildId + SEP + channelId)) return true;
		for (const parentId of parentIds) if (parentId && this.ignored.has(guildId + SEP + parentId)) return true;
		return false;
	}

	public isGuildDisabled(guildId: string): boolean {
		return this.disabled.has(guildId);
	}

	public get optOutCount(): number {
		return this.optOuts.size;
	}

	/** Opts a member out (`mode`) or back in (`null`). Returns the guilds whose figures changed. */
	public async setOptOut(userId: string, mode: OptOutMode | null, at?: number): Promise<string[]> {
		const previous = this.optOuts.get(userId) ?? null;
		this.generation += 1;
		this.applyOptOut(userId, mode);
		try {
			return await this.persistence.setOptOut(userId, mode, at);
		} catch (error) {
			this.applyOptOut(userId, previous);
			throw error;
		}
	}

	public async setChannelIgnored(guildId: string, channelId: string, kind: IgnoredKind | null, at?: number): Promise<void> {
		const key = guildId + SEP + channelId;
		const previous = this.ignored.get(key) ?? null;
		const apply = (value: IgnoredKind | null) => (value ? this.ignored.set(key, value) : this.ignored.delete(key));
		this.generation += 1;
		apply(kind);
		try {
			await this.persistence.setChannelIgnored(guildId, channelId, kind, at);
		} catch (error) {
			apply(previous);
			throw error;
		}
	}

	public async setGuildDisabled(guildId: string, disabled: boolean, at?: number): Promise<void> {
		const previous = this.disabled.has(guildId);
		const apply = (value: boolean) => (value ? this.disabled.add(guildId) : this.disabled.delete(guildId));
		this.generation += 1;
		apply(disabled);
		try {
			await this.persistence.setGuildDisabled(guildId, disabled, at);
		} catch (error) {
			apply(previous);
			throw error;
		}
	}

	/** Forgets a guild's ignore list and disabled flag (its settings were purged). */
	public forgetGuild(guildId: string): void {
		this.generation += 1;
		const prefix = guildId + SEP;
		for (const key of [...this.ignored.keys()]) if (key.startsWith(prefix)) this.ignored.delete(key);
		this.disabled.delete(guildId);
	}

	private applyOptOut(userId: string, mode: OptOutMode | null): void {
		if (mode) this.optOuts.set(userId, mode);
		else this.optOuts.delete(userId);
	}
}
