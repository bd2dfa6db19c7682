import { describe, expect, it } from 'vitest';
import { livePayload, liveRequest } from '#lib/live/LiveMessageService.js';
import type { ReportResult } from '#lib/guildstats/GuildStatsReports.js';

describe('live message payload', () => {
	const result = {
		view: {} as ReportResult['view'],
		embed: { title: 'Server activity', image: { url: 'attachment://guildstats-server.png' }, footer: { text: 'Rendered in 84 ms' } },
		image: { name: 'guildstats-server.png', png: Buffer.from('png'), cached: false, deduped: false }
	} satisfies ReportResult;

	it('replaces the previous image (attachments lists only the new upload), never pings, and says it is live', () => {
		const payload = livePayload(result, { id: 'abc123', everyMinutes: 60 }, Date.UTC(2026, 0, 1));
		expect(payload.body.attachments).toEqual([{ id: 0, filename: 'guildstats-server.png' }]);
		expect(payload.files).toEqual([{ name: 'guildstats-server.png', data: result.image.png }]);
		expect(payload.body.allowed_mentions).toEqual({ parse: [] });
		expect(payload.body.embeds[0]!.footer!.text).toBe('Rendered in 84 ms · Live · refreshes every 60 min · id abc123');
		expect(payload.body.embeds[0]!.timestamp).toBe('2026-01-01T00:00:00.000Z');
	});

	it('asks for the guild-wide report of its kind, humans, as an image', () => {
		expect(liveRequest({ report: 'top', range: '30d' })).toEqual({
			report: 'top',
			options: { range: '30d', since: null, members: 'humans', graphic: 'image' },
			target: 'members',
			by: 'messages'
		});
		expect(liveRequest({ report: 'activity', range: '7d' })).toMatchObject({ report: 'activity', metric: 'messages' });
		expect(liveRequest({ report: 'growth', range: 'all' })).toEqual({ report: 'growth', options: { range: 'all', since: null, members: 'humans', graphic: 'image' } });
	});
});
