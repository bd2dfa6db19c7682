import { UserError } from '@sapphire/framework';
import type { APIEmbed } from 'discord.js';
import { canonicalTimeZone } from '#lib/stats/HourBucketer.js';
import type { StatsService } from '#lib/stats/StatsService.js';
import type { StatsStore } from '#lib/stats/StatsStore.js';
import { channelLabel, type ChannelInfo, type ChannelKind } from './NameSource.js';
import { EMBED_COLOR } from './reportEmbed.js';

/*
 * Admin controls of `/guildstats settings` (gated by the ManageGuild precondition). Each returns
 * the answer shown to the admin; bad input throws a UserError.
 */

export type SettingsStats = Pick<StatsService, 'setGuildTimezone' | 'ignoreChannel' | 'unignoreChannel' | 'setGuildEnabled' | 'isGuildEnabled' | 'purgeGuild'> & { store: Pick<StatsStore, 'getGuildSettings'> };

export interface SettingsChannel {
	id: string;
	name: string;
	kind: ChannelKind;
}

/** An IANA zone Intl knows ("Europe/Berlin", "UTC"); offsets like "+02:00" are refused (they ignore DST). */
export function validateTimezone(input: string): string {
	const text = input.trim();
	let zone: string;
	try {
		zone = canonicalTimeZone(text);
	} catch {
		throw new UserError({ identifier: 'GuildStatsInvalidTimezone', message: `\`${text.slice(0, 64)}\` is not a timezone I know. Use an IANA name such as \`Europe/Berlin\`, \`America/New_York\` or \`UTC\`.` });
	}
	if (/^[+-]\d/.test(zone)) {
		throw new UserError({ identifier: 'GuildStatsInvalidTimezone', message: `\`${text.slice(0, 64)}\` is a fixed offset: use the IANA name of a place (e.g. \`Europe/Berlin\`), so daylight saving time is handled.` });
	}
	return zone;
}

/** "14:05" now in `zone`. */
function localClock(zone: string, now: number): string {
	return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
}

export async function setTimezone(stats: SettingsStats, guildId: string, input: string, now = Date.now()): Promise<string> {
	const zone = await stats.setGuildTimezone(guildId, validateTimezone(input));
	return `Timezone set to **${zone}** (it is ${localClock(zone, now)} there now). Day buckets and the activity heatmap use local time from now on.`;
}

export async function ignoreChannel(stats: SettingsStats, guildId: string, channel: SettingsChannel): Promise<string> {
	const category = channel.kind === 'category';
	await stats.ignoreChannel(guildId, channel.id, category ? 'category' : 'channel');
	const label = channelLabel({ name: channel.name, kind: channel.kind }, channel.id);
	return `Capture stopped in ${category ? `every channel of the category **${label}**` : `**${label}**`}. What was recorded before is kept; \`/guildstats settings unignore\` resumes it.`;
}

export async function unignoreChannel(stats: SettingsStats, guildId: string, channel: SettingsChannel): Promise<string> {
	const settings = await stats.store.getGuildSettings(guildId);
	const label = channelLabel({ name: channel.name, kind: channel.kind }, channel.id);
	if (!settings.ignored.some((entry) => entry.channelId === channel.id)) return `**${label}** is not ignored: nothing to do.`;
	await stats.unignoreChannel(guildId, channel.id);
	return `Capture resumed in **${label}**.`;
}

export async function setEnabled(stats: SettingsStats, guildId: string, enabled: boolean): Promise<string> {
	if (stats.isGuildEnabled(guildId) === enabled) return `Statistics are already ${enabled ? 'enabled' : 'disabled'} in this server.`;
	await stats.setGuildEnabled(guildId, enabled);
	return enabled
		? 'Statistics enabled: activity in this server is recorded again from now on.'
		: 'Statistics disabled: nothing new is recorded in this server. Stored data is kept (`/guildstats settings purge` deletes it; `/guildstats settings enable` resumes).';
}

export async function purge(stats: SettingsStats, guildId: string, confirm: boolean, invalidate: (guildId: string) => void): Promise<string> {
	if (!confirm) {
		return 'Nothing was deleted. `purge` deletes every statistic of this server at once and cannot be undone: run `/guildstats settings purge confirm:True` to go ahead.';
	}
	await stats.purgeGuild(guildId);
	invalidate(guildId);
	const tail = stats.isGuildEnabled(guildId) ? ' Capture goes on (`/guildstats settings disable` stops it).' : '';
	return `Deleted every statistic of this server.${tail}`;
}

export async function settingsEmbed(stats: SettingsStats, guildId: string, channel: (id: string) => ChannelInfo | null, now = Date.now()): Promise<APIEmbed> {
	const settings = await stats.store.getGuildSettings(guildId);
	const ignored = settings.ignored.map((entry) => `• ${channelLabel(channel(entry.channelId), entry.channelId)}${entry.kind === 'category' ? ' (whole category)' : ''}`);
	return {
		title: 'Statistics settings',
		color: EMBED_COLOR,
		fields: [
			{ name: 'Capture', value: stats.isGuildEnabled(guildId) ? 'enabled' : 'disabled', inline: true },
			{ name: 'Timezone', value: `${settings.timezone} (${localClock(settings.timezone, now)} now)`, inline: true },
			{ name: 'Member reports', value: settings.memberReports, inline: true },
			{ name: 'Ignored channels', value: ignored.length ? ignored.slice(0, 30).join('\n') + (ignored.length > 30 ? `\n… and ${ignored.length - 30} more` : '') : 'none', inline: false },
			...(settings.deletionAt ? [{ name: 'Scheduled deletion', value: `<t:${Math.floor(settings.deletionAt / 1000)}:F>`, inline: false }] : [])
		]
	};
}
