import { UserError } from '@sapphire/framework';
import { randomBytes } from 'node:crypto';
import { ChannelType, MessageFlags, Routes, type APIEmbed, type ChatInputCommandInteraction, type Guild, type GuildBasedChannel } from 'discord.js';
import { EMBED_COLOR } from '#lib/guildstats/reportEmbed.js';
import { renderTemplate, templatePlaceholders, validateTemplate, type CounterPlaceholder, type CounterValues } from './counterTemplate.js';
import { COUNTER_PERMISSIONS, type CounterChannelService } from './CounterChannelService.js';
import { LIVE_MESSAGE_PERMISSIONS, type LiveMessageService } from './LiveMessageService.js';
import type { LiveRange, LiveReport, LiveStore } from './LiveStore.js';

/*
 * `/guildstats live` and `/guildstats counter` (Manage Server, gated by the ManageGuild
 * precondition). Answers are ephemeral; bad input throws a UserError with the fix.
 */

/** Live messages per guild: each one renders a chart every period. */
export const LIVE_MESSAGES_PER_GUILD = 3;
/** Counter channels per guild: each one may cost 2 renames per 10 minutes. */
export const COUNTERS_PER_GUILD = 5;
export const LIVE_EVERY_MIN = 5;
export const LIVE_EVERY_MAX = 1440;
export const LIVE_EVERY_DEFAULT = 60;

export const LIVE_REPORTS = ['server', 'top', 'activity', 'voice', 'growth'] as const satisfies readonly LiveReport[];
export const LIVE_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;
/** Voice channels (and categories) keep their names as given; text channel names are lowercased and hyphenated by Discord. */
export const COUNTER_CHANNEL_TYPES = [ChannelType.GuildVoice, ChannelType.GuildStageVoice, ChannelType.GuildCategory] as const;

export interface LiveCommandContext {
	store: LiveStore;
	live: LiveMessageService;
	counters: CounterChannelService;
	now?: () => number;
}

const fail = (identifier: string, message: string) => new UserError({ identifier, message });
const ephemeral = (embed: APIEmbed) => ({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } }) as const;

function missingPermissions(channel: GuildBasedChannel, guild: Guild, bits: Record<string, bigint>): string[] {
	const me = guild.members.me;
	if (!me) return [];
	const permissions = channel.permissionsFor(me);
	return Object.entries(bits)
		.filter(([, bit]) => !permissions.has(bit))
		.map(([name]) => name.replace(/([a-z])([A-Z])/g, '$1 $2'));
}

/** `/guildstats live set`: posts the message now (so a problem shows at once), then keeps it current. */
export async function liveSet(interaction: ChatInputCommandInteraction<'cached'>, ctx: Pick<LiveCommandContext, 'store' | 'live' | 'now'>): Promise<string> {
	const guild = interaction.guild;
	const channel = interaction.options.getChannel('channel', true, [...LIVE_CHANNEL_TYPES]);
	const report = (interaction.options.getString('report') ?? 'server') as LiveReport;
	const range = (interaction.options.getString('range') ?? '7d') as LiveRange;
	const every = interaction.options.getInteger('every') ?? LIVE_EVERY_DEFAULT;
	if (!LIVE_REPORTS.includes(report as never)) throw fail('LiveUnknownReport', `Unknown report \`${report}\`: choose one of ${LIVE_REPORTS.join(', ')}.`);
	if (!Number.isInteger(every) || every < LIVE_EVERY_MIN || every > LIVE_EVERY_MAX) {
		throw fail('LiveInvalidInterval', `\`every\` is in minutes, from ${LIVE_EVERY_MIN} to ${LIVE_EVERY_MAX} (one day).`);
	}
	const missing = missingPermissions(channel, guild, LIVE_MESSAGE_PERMISSIONS);
	if (missing.length > 0) throw fail('LiveMissingPermissions', `I can't keep a message in ${channel}: I'm missing **${missing.join(', ')}** there. Grant it and run this again.`);
	const active = (await ctx.store.liveMessages(guild.id)).filter((row) => !row.stopped);
	if (active.length >= LIVE_MESSAGES_PER_GUILD) {
		throw fail('LiveLimit', `This server already has ${LIVE_MESSAGES_PER_GUILD} live messages, the most a server can have. Remove one with \`/guildstats live remove\` first.`);
	}
	// Rendering the first image may take longer than Discord's 3 s.
	await interaction.deferReply({ flags: MessageFlags.Ephemeral });
	const now = (ctx.now ?? Date.now)();
	const row = { id: randomBytes(3).toString('hex'), guildId: guild.id, channelId: channel.id, messageId: null, report, range, everyMinutes: every, nextAt: now, createdAt: now, stopped: null };
	// Stored as not due yet, so the scheduler cannot post it a second time while this first post is in flight.
	await ctx.store.insertLiveMessage({ ...row, nextAt: now + ctx.live.periodMs(row) });
	const outcome = await ctx.live.refresh(row);
	if (!outcome.ok) {
		await ctx.store.deleteLiveMessage(guild.id, row.id);
		if ('stopped' in outcome) throw fail('LiveFirstPostFailed', `I couldn't post in ${channel}: ${outcome.stopped}.`);
		throw fail('LiveFirstPostFailed', `I couldn't post in ${channel} right now (Discord did not accept the message). Try again in a minute.`);
	}
	ctx.live.wake();
	return `📌 Live **${report}** statistics (${range}) posted in ${channel}; I'll edit that message every ${every} minute${every === 1 ? '' : 's'}. Id \`${row.id}\` — remove it with \`/guildstats live remove id:${row.id}\`.`;
}

export async function liveList(interaction: ChatInputCommandInteraction<'cached'>, ctx: Pick<LiveCommandContext, 'store' | 'live'>) {
	const rows = await ctx.store.liveMessages(interaction.guildId);
	const lines = rows.map((row) => {
		const link = row.messageId ? `https://discord.com/channels/${row.guildId}/${row.channelId}/${row.messageId}` : null;
		const state = row.stopped ? `⛔ stopped: ${row.stopped}` : `next refresh <t:${Math.floor(row.nextAt / 1000)}:R>`;
		return `\`${row.id}\` · <#${row.channelId}> · ${row.report}, ${row.range} · every ${row.everyMinutes} min · ${state}${link ? ` · [message](${link})` : ''}`;
	});
	return ephemeral({
		title: 'Live statistics messages',
		color: EMBED_COLOR,
		description: lines.length ? lines.join('\n') : 'None yet. `/guildstats live set` posts one.',
		footer: { text: `${rows.filter((row) => !row.stopped).length}/${LIVE_MESSAGES_PER_GUILD} active` }
	});
}

export async function liveRemove(interaction: ChatInputCommandInteraction<'cached'>, ctx: Pick<LiveCommandContext, 'store' | 'live'>): Promise<string> {
	const id = interaction.options.getString('id', true).trim().toLowerCase();
	const row = (await ctx.store.liveMessages(interaction.guildId)).find((candidate) => candidate.id === id);
	if (!row) throw fail('LiveUnknownId', `No live message \`${id.slice(0, 32)}\` in this server. \`/guildstats live list\` shows the ids.`);
	await ctx.store.deleteLiveMessage(interaction.guildId, id);
	ctx.live.wake();
	// The message goes too, unless it is already gone or unreachable (nothing to clean up then).
	if (row.messageId && !row.stopped) await interaction.client.rest.delete(Routes.channelMessage(row.channelId, row.messageId)).catch(() => undefined);
	return `🗑️ Live message \`${id}\` removed; it will not be updated any more.`;
}

export async function counterAdd(
	interaction: ChatInputCommandInteraction<'cached'>,
	ctx: Pick<LiveCommandContext, 'store' | 'counters' | 'now'> & { preview: (guild: Guild, template: string) => Promise<string> }
): Promise<string> {
	const guild = interaction.guild;
	const channel = interaction.options.getChannel('channel', true, [...COUNTER_CHANNEL_TYPES]);
	const template = interaction.options.getString('template', true);
	const check = validateTemplate(template);
	if (!check.ok) throw fail('CounterInvalidTemplate', `That template can't be a channel name. ${check.error}`);
	const missing = missingPermissions(channel, guild, COUNTER_PERMISSIONS);
	if (missing.length > 0) {
		throw fail('CounterMissingPermissions', `I need **${missing.join(', ')}** on ${channel} to rename it. Grant it (server or channel settings), then run this again. Nothing was set up.`);
	}
	const existing = await ctx.store.counters(guild.id);
	if (!existing.some((row) => row.channelId === channel.id) && existing.filter((row) => !row.stopped).length >= COUNTERS_PER_GUILD) {
		throw fail('CounterLimit', `This server already has ${COUNTERS_PER_GUILD} counter channels, the most a server can have. Remove one with \`/guildstats counter remove\` first.`);
	}
	const name = await ctx.preview(guild, template);
	const now = (ctx.now ?? Date.now)();
	const row = { channelId: channel.id, guildId: guild.id, template, createdAt: now };
	await ctx.store.upsertCounter(row);
	ctx.counters.track({ ...row, renames: (await ctx.store.counter(channel.id))?.renames ?? [], stopped: null });
	return `🔢 ${channel} is now a counter: it will be named \`${name}\`, and renamed as the numbers change — at most 2 renames per 10 minutes, as Discord allows.`;
}

export async function counterList(interaction: ChatInputCommandInteraction<'cached'>, ctx: Pick<LiveCommandContext, 'store'>) {
	const rows = await ctx.store.counters(interaction.guildId);
	const lines = rows.map((row) => `<#${row.channelId}> · \`${row.template.replace(/`/g, "'")}\`${row.stopped ? ` · ⛔ stopped: ${row.stopped}` : ''}`);
	return ephemeral({
		title: 'Counter channels',
		color: EMBED_COLOR,
		description: lines.length ? lines.join('\n') : 'None yet. `/guildstats counter add` turns a voice channel into one.',
		footer: { text: `${rows.filter((row) => !row.stopped).length}/${COUNTERS_PER_GUILD} active · at most 2 renames per 10 minutes each` }
	});
}

export async function counterRemove(interaction: ChatInputCommandInteraction<'cached'>, ctx: Pick<LiveCommandContext, 'store' | 'counters'>): Promise<string> {
	const channel = interaction.options.getChannel('channel', true);
	const removed = await ctx.store.deleteCounter(interaction.guildId, channel.id);
	if (!removed) throw fail('CounterUnknown', `${channel} is not a counter channel. \`/guildstats counter list\` shows them.`);
	ctx.counters.untrack(channel.id);
	return `🗑️ ${channel} is no longer a counter; its current name stays.`;
}

/** The name a template gives right now, for the confirmation. */
export function previewName(values: (guild: Guild, placeholders: readonly CounterPlaceholder[]) => Promise<CounterValues>) {
	return async (guild: Guild, template: string) => renderTemplate(template, await values(guild, templatePlaceholders(template)));
}
