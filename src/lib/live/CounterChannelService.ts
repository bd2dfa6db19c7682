import { PermissionFlagsBits, Routes, type Client, type Guild } from 'discord.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import { renderTemplate, templatePlaceholders, type CounterPlaceholder, type CounterValues } from './counterTemplate.js';
import { permanentFailure } from './discordErrors.js';
import type { CounterRow, LiveStore } from './LiveStore.js';
import { recordRename, renameWait, type RenameLimit } from './renameBudget.js';

/** What the bot needs on a channel to rename it. */
export const COUNTER_PERMISSIONS = { ViewChannel: PermissionFlagsBits.ViewChannel, ManageChannels: PermissionFlagsBits.ManageChannels };

/** How long a name we sent counts as the channel's name while the cache has not caught up. */
const SENT_NAME_TRUST_MS = 10_000;

export interface CounterChannelServiceOptions {
	store: LiveStore;
	client: Client;
	/** Values of the placeholders a guild's counters use (queried once per guild per pass). */
	values: (guild: Guild, placeholders: readonly CounterPlaceholder[]) => Promise<CounterValues>;
	/** Discord: 2 renames per 10 minutes per channel. */
	renameLimit: RenameLimit;
	notify: (input: ReportEventInput) => void;
	log: { info(message: string): void; warn(message: string, error?: unknown): void };
	now?: () => number;
}

/**
 * Keeps counter channels named after their template. Discord allows 2 renames per 10 minutes per
 * channel, and a 429 there means a long wait inside the REST client: so the budget is kept here
 * (and stored, so a restart does not forget renames Discord still counts), no rename is sent
 * without budget, none is sent when the name would not change, and whenever budget is available
 * the name is computed from the latest values, so the channel always converges. A channel that is
 * gone or a lost permission stops the counter with one notice.
 */
export class CounterChannelService {
	public readonly name = 'counter-channels';
	private readonly options: CounterChannelServiceOptions;
	private readonly now: () => number;
	private readonly counters = new Map<string, CounterRow>();
	private readonly inFlight = new Set<string>();
	/** The name last sent per channel: the gateway's CHANNEL_UPDATE may arrive after the next pass looked at the cache. */
	private readonly sent = new Map<string, { name: string; at: number }>();
	private timer: NodeJS.Timeout | null = null;
	private running: Promise<void> | null = null;
	private stopped = false;
	/** A pass was asked for while one ran: run another right after. */
	private again = false;

	public constructor(options: CounterChannelServiceOptions) {
		this.options = options;
		this.now = options.now ?? Date.now;
	}

	/** How often budgets and values are looked at: well inside the window, at most every 30 s. */
	public get tickMs(): number {
		return Math.max(250, Math.min(30_000, Math.floor(this.options.renameLimit.windowMs / 20)));
	}

	public async start(): Promise<void> {
		this.stopped = false;
		for (const row of await this.options.store.counters()) this.counters.set(row.channelId, row);
		this.timer = setInterval(() => this.pass(), this.tickMs);
	}

	public async stop(): Promise<void> {
		this.stopped = true;
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		await this.running;
	}

	/** A counter was added or changed (`counter add`): rename it as soon as the budget allows. */
	public track(row: CounterRow): void {
		const known = this.counters.get(row.channelId);
		this.counters.set(row.channelId, { ...row, renames: known?.renames ?? row.renames });
		this.pass();
	}

	public untrack(channelId: string): void {
		this.counters.delete(channelId);
		this.sent.delete(channelId);
	}

	/** Runs one pass now (or right after the current one). */
	public pass(): void {
		if (this.stopped) return;
		if (this.running) {
			this.again = true;
			return;
		}
		this.running = this.runPass()
			.catch((error) => this.options.log.warn('Counter channels: pass failed:', error))
			.finally(() => {
				this.running = null;
				if (this.again) {
					this.again = false;
					this.pass();
				}
			});
	}

	private async runPass(): Promise<void> {
		const { client } = this.options;
		if (!client.isReady()) return;
		const now = this.now();
		const byGuild = new Map<string, CounterRow[]>();
		for (const row of this.counters.values()) {
			if (row.stopped || this.inFlight.has(row.channelId)) continue;
			// Another shard's guild, or not available right now.
			if (!client.guilds.cache.has(row.guildId)) continue;
			if (renameWait(row.renames, now, this.options.renameLimit) > 0) continue;
			byGuild.set(row.guildId, [...(byGuild.get(row.guildId) ?? []), row]);
		}
		for (const [guildId, rows] of byGuild) {
			const guild = client.guilds.cache.get(guildId)!;
			const placeholders = [...new Set(rows.flatMap((row) => templatePlaceholders(row.template)))];
			let values: CounterValues;
			try {
				values = await this.options.values(guild, placeholders);
			} catch (error) {
				this.options.log.warn(`Counter channels in ${guildId}: reading the values failed:`, error);
				continue;
			}
			await Promise.all(rows.map((row) => this.update(guild, row, renderTemplate(row.template, values))));
		}
	}

	private async update(guild: Guild, row: CounterRow, name: string): Promise<void> {
		const channel = guild.channels.cache.get(row.channelId);
		if (!channel) return this.stopCounter(guild, row, 'the channel was deleted');
		if (channel.name === name) return;
		const sent = this.sent.get(row.channelId);
		if (sent?.name === name && this.now() - sent.at < SENT_NAME_TRUST_MS) return;
		const me = guild.members.me;
		const missing = me ? Object.entries(COUNTER_PERMISSIONS).filter(([, bit]) => !channel.permissionsFor(me).has(bit)).map(([key]) => key) : [];
		if (missing.length > 0) return this.stopCounter(guild, row, `Nexus lost permission to rename it (missing ${missing.join(', ')})`);
		this.inFlight.add(row.channelId);
		try {
			await this.options.client.rest.patch(Routes.channel(row.channelId), { body: { name }, reason: 'Counter channel update' });
			// Recorded after Discord answered: Discord counted it no later than that.
			const renames = recordRename(row.renames, this.now(), this.options.renameLimit);
			this.sent.set(row.channelId, { name, at: this.now() });
			const current = this.counters.get(row.channelId);
			if (current) current.renames = renames;
			await this.options.store.updateCounter(row.channelId, { renames });
		} catch (error) {
			const failure = permanentFailure(error);
			if (failure === 'channel-gone') return this.stopCounter(guild, row, 'the channel was deleted');
			if (failure === 'no-permission') return this.stopCounter(guild, row, 'Nexus lost permission to rename it (Manage Channels)');
			this.options.log.warn(`Counter channel ${row.channelId} in ${guild.id}: rename failed, retrying later:`, error);
		} finally {
			this.inFlight.delete(row.channelId);
		}
	}

	private async stopCounter(guild: Guild, row: CounterRow, reason: string): Promise<void> {
		const current = this.counters.get(row.channelId);
		if (!current || current.stopped) return;
		current.stopped = reason;
		await this.options.store.updateCounter(row.channelId, { stopped: reason }).catch((error) => this.options.log.warn('Counter channels: storing a stop failed:', error));
		this.options.log.info(`Counter channel ${row.channelId} in ${guild.id} stopped: ${reason}.`);
		this.options.notify({
			event: 'counter.stopped',
			severity: 'WARNING',
			title: 'Counter channel stopped',
			data: {
				guild: `${guild.name} (${guild.id})`,
				channel: row.channelId,
				reason,
				fix: 'Give Nexus View Channel and Manage Channels on the channel, then run /guildstats counter add again.'
			}
		});
	}
}
