import { PermissionFlagsBits, Routes, type APIEmbed, type Client, type Guild } from 'discord.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import type { ReportRequest, ReportResult } from '#lib/guildstats/GuildStatsReports.js';
import { permanentFailure } from './discordErrors.js';
import type { LiveMessageRow, LiveStore } from './LiveStore.js';

/** What the bot needs in a channel to post and keep editing a report. */
export const LIVE_MESSAGE_PERMISSIONS = { ViewChannel: PermissionFlagsBits.ViewChannel, SendMessages: PermissionFlagsBits.SendMessages, EmbedLinks: PermissionFlagsBits.EmbedLinks, AttachFiles: PermissionFlagsBits.AttachFiles };

/** Without any due message, the store is still looked at this often (a message set by another process of the same guild after a reshard). */
const MAX_SLEEP_MS = 30_000;
/** A refresh that failed for a passing reason (Discord 5xx, outage) is retried this soon, at the latest. */
const RETRY_MS = 60_000;

export interface LiveMessageServiceOptions {
	store: LiveStore;
	client: Client;
	/** Whether a guild belongs to this process's shards ((guild_id >> 22) % shard_count), cached or not. */
	ownsGuild: (guildId: string) => boolean;
	/** Renders a report of a guild (through the image cache). */
	render: (request: ReportRequest, guild: Guild) => Promise<ReportResult>;
	/** Length of one "minute" of `every:` (60 000; shortened for demos and tests only). */
	minuteMs: number;
	/** One notice per stopped message, for the admins (the reporter's Diagnostics channel). */
	notify: (input: ReportEventInput) => void;
	log: { info(message: string): void; warn(message: string, error?: unknown): void };
	now?: () => number;
}

export type RefreshOutcome = { ok: true; messageId: string; reposted: boolean } | { ok: false; stopped: string } | { ok: false; error: unknown };

/**
 * Keeps live statistics messages current: each one is edited in place every `every` minutes. The
 * schedule is in the database (next_at), so a restart continues it; each process refreshes only the
 * guilds in its own client cache, so with several shards each message is refreshed once, by the
 * shard that owns its guild. A deleted message is posted again; a channel that is gone or a lost
 * permission stops the message with one notice instead of failing every period.
 */
export class LiveMessageService {
	public readonly name = 'live-messages';
	private readonly options: LiveMessageServiceOptions;
	private readonly now: () => number;
	private timer: NodeJS.Timeout | null = null;
	private running: Promise<void> | null = null;
	private stopped = false;

	public constructor(options: LiveMessageServiceOptions) {
		this.options = options;
		this.now = options.now ?? Date.now;
	}

	public periodMs(row: Pick<LiveMessageRow, 'everyMinutes'>): number {
		return row.everyMinutes * this.options.minuteMs;
	}

	public start(): void {
		this.stopped = false;
		this.schedule(0);
	}

	public async stop(): Promise<void> {
		this.stopped = true;
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		await this.running;
	}

	/** Look at the schedule again now (after a message was set or removed). */
	public wake(): void {
		if (!this.stopped && !this.running) this.schedule(0);
	}

	/**
	 * Posts or edits one message now and stores the outcome (message id, next refresh, or why it
	 * stopped). Used by `live set` for the first post and by the schedule for every refresh.
	 */
	public async refresh(row: LiveMessageRow): Promise<RefreshOutcome> {
		const { client, store } = this.options;
		const period = this.periodMs(row);
		const guild = client.guilds.cache.get(row.guildId);
		if (!guild) return { ok: false, error: new Error(`guild ${row.guildId} is not in this process's cache`) };
		const channel = guild.channels.cache.get(row.channelId);
		if (!channel) return this.stopMessage(row, 'channel-gone', guild);
		const me = guild.members.me;
		const missing = me ? Object.entries(LIVE_MESSAGE_PERMISSIONS).filter(([, bit]) => !channel.permissionsFor(me).has(bit)).map(([name]) => name) : [];
		// Known from the cache: stop without spending a request Discord would refuse.
		if (missing.length > 0) return this.stopMessage(row, 'no-permission', guild, missing);

		let result: ReportResult;
		try {
			result = await this.options.render(liveRequest(row), guild);
		} catch (error) {
			await this.reschedule(row, Math.min(period, RETRY_MS));
			return { ok: false, error };
		}
		const payload = livePayload(result, row, this.now());
		let messageId = row.messageId;
		let reposted = false;
		try {
			if (messageId) {
				try {
					await client.rest.patch(Routes.channelMessage(row.channelId, messageId), payload);
				} catch (error) {
					if (permanentFailure(error) !== 'message-gone') throw error;
					// Deleted by someone: post it again, once per deletion (a new id is stored below).
					this.options.log.info(`Live message ${row.id} in ${row.guildId} was deleted; posting it again.`);
					messageId = null;
					reposted = true;
				}
			}
			if (!messageId) messageId = ((await client.rest.post(Routes.channelMessages(row.channelId), payload)) as { id: string }).id;
		} catch (error) {
			const failure = permanentFailure(error);
			if (failure === 'channel-gone' || failure === 'no-permission') return this.stopMessage(row, failure, guild);
			this.options.log.warn(`Live message ${row.id} in ${row.guildId}: refresh failed, retrying later:`, error);
			await this.reschedule(row, Math.min(period, RETRY_MS));
			return { ok: false, error };
		}
		const now = this.now();
		// Keep the rhythm (next = previous + period), but never two updates within half a period of each
		// other (a slow render); after downtime, the next one a full period from now.
		const next = row.nextAt + period > now ? Math.max(row.nextAt + period, now + period / 2) : now + period;
		await store.updateLiveMessage(row.id, { messageId, nextAt: next });
		return { ok: true, messageId, reposted };
	}

	private async run(): Promise<void> {
		const { client, store } = this.options;
		let nextAt: number | null = null;
		try {
			if (client.isReady()) {
				const own = (guildId: string) => client.guilds.cache.has(guildId);
				// Other shards refresh theirs; of ours, a guild that is not here (the bot left, or it is unavailable)
				// is looked at again a period later, so it never clogs the list of due messages.
				const due = (await store.dueLiveMessages(this.now())).filter((row) => this.options.ownsGuild(row.guildId));
				for (const row of due) {
					if (this.stopped) return;
					if (own(row.guildId)) await this.refresh(row);
					else await this.reschedule(row, this.periodMs(row));
				}
				nextAt = await store.nextLiveAt(own);
			}
		} catch (error) {
			this.options.log.warn('Live messages: reading the schedule failed, retrying:', error);
		}
		const wait = nextAt === null ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(50, nextAt - this.now()));
		this.schedule(wait);
	}

	private schedule(delayMs: number): void {
		if (this.stopped) return;
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.timer = null;
			this.running = this.run().finally(() => (this.running = null));
		}, delayMs);
	}

	private async reschedule(row: LiveMessageRow, inMs: number): Promise<void> {
		await this.options.store.updateLiveMessage(row.id, { nextAt: this.now() + inMs }).catch(() => undefined);
	}

	private async stopMessage(row: LiveMessageRow, reason: 'channel-gone' | 'no-permission', guild: Guild, missing: string[] = []): Promise<RefreshOutcome> {
		const text =
			reason === 'channel-gone'
				? 'the channel was deleted'
				: `Nexus lost permission in the channel${missing.length ? ` (missing ${missing.join(', ')})` : ''}`;
		await this.options.store.updateLiveMessage(row.id, { stopped: text });
		this.options.log.info(`Live message ${row.id} in ${row.guildId} stopped: ${text}.`);
		this.options.notify({
			event: 'live.stopped',
			severity: 'WARNING',
			title: 'Live statistics message stopped',
			data: {
				guild: `${guild.name} (${guild.id})`,
				channel: row.channelId,
				live: row.id,
				reason: text,
				fix: 'Restore the channel or the permissions (View Channel, Send Messages, Embed Links, Attach Files), then run /guildstats live set again.'
			}
		});
		return { ok: false, stopped: text };
	}
}

/** The report a live message shows: the guild-wide report of its kind over its range, humans, as an image. */
export function liveRequest(row: Pick<LiveMessageRow, 'report' | 'range'>): ReportRequest {
	const options = { range: row.range, since: null, members: 'humans' as const, graphic: 'image' as const };
	switch (row.report) {
		case 'top':
			return { report: 'top', options, target: 'members', by: 'messages' };
		case 'activity':
			return { report: 'activity', options, metric: 'messages' };
		default:
			return { report: row.report, options };
	}
}

/** Message body for a post or an edit: the embed, and the PNG replacing any earlier attachment. Never pings. */
export function livePayload(result: ReportResult, row: Pick<LiveMessageRow, 'id' | 'everyMinutes'>, now: number) {
	const embed: APIEmbed = {
		...result.embed,
		timestamp: new Date(now).toISOString(),
		footer: { text: `${result.embed.footer?.text ? `${result.embed.footer.text} · ` : ''}Live · refreshes every ${row.everyMinutes} min · id ${row.id}`.slice(0, 2048) }
	};
	const files = result.image ? [{ name: result.image.name, data: result.image.png }] : [];
	return {
		body: { embeds: [embed], attachments: files.map((file, index) => ({ id: index, filename: file.name })), allowed_mentions: { parse: [] } },
		files
	};
}
