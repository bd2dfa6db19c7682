import { UserError } from '@sapphire/framework';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ignoreChannel, purge, setEnabled, setTimezone, settingsEmbed, unignoreChannel, validateTimezone } from '#lib/guildstats/guildSettings.js';
import { ignoreMe } from '#lib/guildstats/ignoreMe.js';
import { privacyEmbed } from '#lib/guildstats/privacyEmbed.js';
import { StatsService } from '#lib/stats/StatsService.js';
import { openTestStore, snowflake, type TestStore } from '../stats/storeHelpers.js';

const T0 = Date.UTC(2025, 0, 13, 12);

describe('/guildstats ignoreme and settings', () => {
	let test: TestStore;
	let stats: StatsService;
	const guildId = snowflake();
	const channelId = snowflake();
	const categoryId = snowflake();

	beforeAll(async () => {
		test = await openTestStore('sqlite', 'privacy-controls');
		stats = new StatsService({ store: test.store, voiceMinSeconds: 0, now: () => T0, privacyRefreshMs: 0 });
		await stats.start();
	});

	afterAll(async () => {
		await stats?.stop();
		await test?.dispose();
	});

	const messages = async (userId: string) => (await stats.store.reports.memberStats(guildId, userId, { range: { from: 0, to: T0 + 3_600_000 }, bucket: 'day', timezone: 'UTC', members: 'both' })).totals.messages;

	it('status, hide, opt back in: every step says what happened and what to do next', async () => {
		const user = snowflake();
		expect(await ignoreMe(stats, user, null)).toMatch(/You are included.*action:hide.*action:delete/s);
		stats.recordMessage({ guildId, channelId, userId: user, bot: false, at: T0 });
		await stats.flush();
		expect(await ignoreMe(stats, user, 'hide')).toMatch(/^Done: nothing new is recorded/);
		expect(stats.getOptOut(user)).toBe('hide');
		// Running it again offers the way back.
		expect(await ignoreMe(stats, user, null)).toMatch(/You have opted out \(\*\*hide\*\*\).*action:optin/s);
		expect(await ignoreMe(stats, user, 'hide')).toMatch(/already opted out.*action:optin/);
		stats.recordMessage({ guildId, channelId, userId: user, bot: false, at: T0 });
		await stats.flush();
		expect((await stats.store.reports.memberStats(guildId, user, { range: { from: 0, to: T0 + 1 }, bucket: 'day', timezone: 'UTC', members: 'both' })).optedOut).toBe(true);
		expect(await ignoreMe(stats, user, 'optin')).toMatch(/earlier counts show in reports again/);
		expect(stats.getOptOut(user)).toBeNull();
		// The hidden message came back; the one sent while hidden was never recorded.
		expect(await messages(user)).toBe(1);
		expect(await ignoreMe(stats, user, 'optin')).toMatch(/not opted out/);
	});

	it('an unknown ignoreme action is the user\'s mistake with an explanation, not a crash', async () => {
		const user = snowflake();
		await expect(ignoreMe(stats, user, 'remove')).rejects.toThrow(UserError);
		await expect(ignoreMe(stats, user, 'remove')).rejects.toMatchObject({ identifier: 'GuildStatsInvalidIgnoreMeAction', message: expect.stringMatching(/Unknown action `remove`: choose hide, delete or optin/) });
		expect(stats.getOptOut(user)).toBeNull();
	});

	it('delete removes the stored rows at once, and the way back says they stay deleted', async () => {
		const user = snowflake();
		stats.recordMessage({ guildId, channelId, userId: user, bot: false, at: T0 });
		await stats.flush();
		expect(await messages(user)).toBe(1);
		expect(await ignoreMe(stats, user, 'delete')).toMatch(/every statistic about you was deleted, in every server, .* Only your opt-out .* is kept/);
		expect(await ignoreMe(stats, user, 'hide')).toMatch(/nothing left to hide/);
		expect(await ignoreMe(stats, user, 'optin')).toMatch(/stays deleted/);
		expect(await messages(user)).toBe(0);
	});

	it('timezone: IANA names are canonicalised, unknown names and fixed offsets refused', async () => {
		expect(validateTimezone(' europe/berlin ')).toBe('Europe/Berlin');
		expect(validateTimezone('utc')).toBe('UTC');
		expect(() => validateTimezone('Mars/Olympus')).toThrow(UserError);
		expect(() => validateTimezone('Mars/Olympus')).toThrow(/not a timezone I know/);
		expect(await setTimezone(stats, guildId, 'America/New_York', T0)).toBe(
			'Timezone set to **America/New_York** (it is 07:00 there now). Day buckets and the activity heatmap use local time from now on.'
		);
		expect((await stats.store.getGuildSettings(guildId)).timezone).toBe('America/New_York');
	});

	it('ignore a channel or a category, unignore, disable and enable, purge with confirmation', async () => {
		expect(await ignoreChannel(stats, guildId, { id: channelId, name: 'general', kind: 'text' })).toMatch(/Capture stopped in \*\*#general\*\*/);
		expect(await ignoreChannel(stats, guildId, { id: categoryId, name: 'Voice', kind: 'category' })).toMatch(/every channel of the category \*\*Voice\*\*/);
		expect(stats.privacy.isChannelIgnored(guildId, snowflake(), null, categoryId)).toBe(true);
		const embed = await settingsEmbed(stats, guildId, (id) => (id === channelId ? { name: 'general', kind: 'text' } : null), T0);
		expect(embed.fields!.find((field) => field.name === 'Ignored channels')!.value).toMatch(/#general[\s\S]*\(whole category\)/);
		expect(await unignoreChannel(stats, guildId, { id: channelId, name: 'general', kind: 'text' })).toBe('Capture resumed in **#general**.');
		expect(await unignoreChannel(stats, guildId, { id: channelId, name: 'general', kind: 'text' })).toMatch(/not ignored/);

		expect(await setEnabled(stats, guildId, false)).toMatch(/^Statistics disabled/);
		expect(stats.isGuildEnabled(guildId)).toBe(false);
		expect(await setEnabled(stats, guildId, false)).toMatch(/already disabled/);
		expect(await setEnabled(stats, guildId, true)).toMatch(/^Statistics enabled/);

		const user = snowflake();
		stats.recordMessage({ guildId, channelId: snowflake(), userId: user, bot: false, at: T0 });
		await stats.flush();
		const invalidated: string[] = [];
		expect(await purge(stats, guildId, false, (id) => invalidated.push(id))).toMatch(/^Nothing was deleted/);
		expect(await messages(user)).toBe(1);
		expect(await purge(stats, guildId, true, (id) => invalidated.push(id))).toMatch(/^Deleted every statistic/);
		expect(invalidated).toEqual([guildId]);
		expect(await messages(user)).toBe(0);
	});

	it('the privacy statement carries the configured retention', () => {
		const embed = privacyEmbed({ hourlyDays: 45, dailyDays: 400, graceDays: 7, statsEnabled: true });
		const text = JSON.stringify(embed);
		expect(text).toMatch(/Hourly counts: 45 days\. Daily counts: 400 days\./);
		const shorter = JSON.stringify(privacyEmbed({ hourlyDays: 45, memberHourlyDays: 15, dailyDays: 400, graceDays: 7, statsEnabled: true }));
		expect(shorter).toMatch(/Hourly counts: 15 days per member, 45 days per server and channel\. Daily counts: 400 days\./);
		expect(JSON.stringify(privacyEmbed({ hourlyDays: 10, memberHourlyDays: 15, dailyDays: 400, graceDays: 7, statsEnabled: true }))).toMatch(/Hourly counts: 10 days\. Daily/);
		expect(text).toMatch(/deleted after 7 days/);
		expect(text).toMatch(/never message content/i);
		expect(text).toMatch(/\/guildstats ignoreme/);
	});
});
