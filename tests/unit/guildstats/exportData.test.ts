import { describe, expect, it } from 'vitest';
import { buildExport, cooldownMessage, ExportCooldown, exportRange, validateExportInput } from '#lib/guildstats/exportData.js';
import type { ExportRange, ExportRows } from '#lib/stats/statsExport.js';

const NOW = Date.UTC(2026, 11, 3, 13, 20);
const names = { channel: (id: string) => (id === 'c1' ? { name: 'general', kind: 'text' as const } : id === 'c2' ? { name: 'chat, "off-topic"', kind: 'text' as const } : null) };

function fakeStats(rows: ExportRows) {
	const calls: ExportRange[] = [];
	return { calls, store: { reports: { exportRows: async (_guildId: string, range: ExportRange) => (calls.push(range), rows) } } };
}

const rows: ExportRows = {
	guild: [{ t: 20_424, messages: 5, voiceSeconds: 60, reactions: 1, joins: 1, leaves: 0, activeMembers: 2 }],
	channels: [{ t: 20_424, channelId: 'c1', messages: 5, voiceSeconds: 60, reactions: 1 }],
	members: [{ t: 20_424, userId: 'u1', bot: false, messages: 5, voiceSeconds: 60, reactionsGiven: 1, reactionsReceived: 0 }]
};

describe('export', () => {
	it('validates the options with clear errors', () => {
		expect(validateExportInput({})).toEqual({ range: '30d', format: 'csv', granularity: 'daily' });
		expect(() => validateExportInput({ format: 'xml' })).toThrow(/choose csv or json/);
		expect(() => validateExportInput({ granularity: 'weekly' })).toThrow(/choose daily or hourly/);
	});

	it('daily ranges are the UTC days overlapping the last N days, today included; hourly ones end with the current hour', () => {
		const today = Math.floor(NOW / 86_400_000);
		expect(exportRange({ range: '7d', format: 'csv', granularity: 'daily' }, NOW)).toEqual({ granularity: 'daily', from: today - 7, to: today + 1 });
		const hour = Math.floor(NOW / 3_600_000);
		expect(exportRange({ range: '24h', format: 'csv', granularity: 'hourly' }, NOW)).toEqual({ granularity: 'hourly', from: hour + 1 - 24, to: hour + 1 });
	});

	it('writes the documented columns, with channel names, and CSV quoting', async () => {
		const stats = fakeStats({ ...rows, channels: [...rows.channels, { t: 20_424, channelId: 'c2', messages: 0, voiceSeconds: 0, reactions: 0 }] });
		const result = await buildExport(stats, { id: 'g1', names }, { range: '7d', format: 'csv', granularity: 'daily' }, { now: NOW, uploadLimit: 8 << 20 });
		const [guild, channels, members] = result.files.map((file) => file.data.toString('utf8'));
		expect(guild).toBe('bucket,messages,voice_seconds,reactions,joins,leaves,active_members\n2025-12-02,5,60,1,1,0,2\n');
		expect(channels).toContain('2025-12-02,c1,general,5,60,1\n2025-12-02,c2,"chat, ""off-topic""",0,0,0');
		expect(members).toBe('bucket,user_id,bot,messages,voice_seconds,reactions_given,reactions_received\n2025-12-02,u1,false,5,60,1,0\n');
		expect(result.bytes).toBe(result.files.reduce((sum, file) => sum + file.data.length, 0));
	});

	it('JSON holds the same records under guild, channels and members', async () => {
		const result = await buildExport(fakeStats(rows), { id: 'g1', names }, { range: '7d', format: 'json', granularity: 'daily' }, { now: NOW, uploadLimit: 8 << 20 });
		const data = JSON.parse(result.files[0]!.data.toString('utf8'));
		expect(data).toMatchObject({ guildId: 'g1', granularity: 'daily', from: '2026-11-26', to: '2026-12-03' });
		expect(data.members).toEqual([{ bucket: '2025-12-02', user_id: 'u1', bot: false, messages: 5, voice_seconds: 60, reactions_given: 1, reactions_received: 0 }]);
		expect(data.channels[0]).toMatchObject({ channel_id: 'c1', channel_name: 'general' });
	});

	it('refuses an export above the upload limit and says how to narrow it', async () => {
		const stats = fakeStats(rows);
		await expect(buildExport(stats, { id: 'g1', names }, { range: '90d', format: 'json', granularity: 'hourly' }, { now: NOW, uploadLimit: 100 })).rejects.toThrow(
			/above the 0\.00 MiB upload limit here\. Pick a shorter `range` or `granularity:daily`, or `format:csv`/
		);
	});

	it('allows one export per guild per cooldown, and says when the next one is allowed', () => {
		const cooldown = new ExportCooldown(600_000);
		expect(cooldown.nextAllowedAt('g1', NOW)).toBeNull();
		cooldown.record('g1', NOW);
		expect(cooldown.nextAllowedAt('g1', NOW + 1000)).toBe(NOW + 600_000);
		expect(cooldown.nextAllowedAt('g2', NOW + 1000)).toBeNull();
		expect(cooldown.nextAllowedAt('g1', NOW + 600_000)).toBeNull();
		cooldown.release('g1', NOW);
		expect(cooldown.nextAllowedAt('g1', NOW + 1000)).toBeNull();
		expect(cooldownMessage(NOW + 600_000, 600_000)).toBe(`This server had an export recently: one export per server every 10 minutes. The next one is allowed <t:${(NOW + 600_000) / 1000}:R> (at <t:${(NOW + 600_000) / 1000}:T>).`);
	});
});
