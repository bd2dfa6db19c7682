import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveStore, type LiveMessageRow } from '#lib/live/LiveStore.js';
import { DIALECTS, openTestStore, type TestStore } from '../stats/storeHelpers.js';

describe.each(DIALECTS)('LiveStore on %s', (dialect) => {
	let ctx: TestStore;
	let live: LiveStore;
	beforeAll(async () => {
		ctx = await openTestStore(dialect, 'live');
		live = new LiveStore(ctx.store.db);
	});
	afterAll(async () => {
		await ctx?.dispose();
	});

	const row = (id: string, guildId: string, nextAt: number): LiveMessageRow => ({
		id,
		guildId,
		channelId: `${guildId}9`,
		messageId: null,
		report: 'server',
		range: '7d',
		everyMinutes: 60,
		nextAt,
		createdAt: 1,
		stopped: null
	});

	it('keeps live messages with their schedule, message id and stop reason', async () => {
		await live.insertLiveMessage(row('aa', '100000000000000001', 5000));
		await live.insertLiveMessage(row('bb', '100000000000000001', 2000));
		await live.insertLiveMessage(row('cc', '100000000000000002', 1000));
		expect((await live.dueLiveMessages(3000)).map((r) => r.id)).toEqual(['cc', 'bb']);
		expect(await live.nextLiveAt((guildId) => guildId === '100000000000000001')).toBe(2000);
		await live.updateLiveMessage('bb', { messageId: '123456789012345678', nextAt: 9000 });
		await live.updateLiveMessage('cc', { stopped: 'the channel was deleted' });
		expect((await live.dueLiveMessages(6000)).map((r) => r.id)).toEqual(['aa']);
		const [, bb] = await live.liveMessages('100000000000000001');
		expect(bb).toMatchObject({ id: 'bb', messageId: '123456789012345678', nextAt: 9000, everyMinutes: 60, stopped: null });
		expect(await live.deleteLiveMessage('100000000000000002', 'aa')).toBe(false);
		expect(await live.deleteLiveMessage('100000000000000001', 'aa')).toBe(true);
		expect((await live.liveMessages('100000000000000001')).map((r) => r.id)).toEqual(['bb']);
	});

	it('keeps counters with their rename history; re-adding replaces the template and keeps the history', async () => {
		const guildId = '100000000000000003';
		await live.upsertCounter({ channelId: '200000000000000001', guildId, template: '{members}', createdAt: 1 });
		await live.updateCounter('200000000000000001', { renames: [10, 20] });
		await live.upsertCounter({ channelId: '200000000000000001', guildId, template: 'Members: {members}', createdAt: 2 });
		expect(await live.counter('200000000000000001')).toMatchObject({ template: 'Members: {members}', renames: [10, 20], stopped: null });
		await live.updateCounter('200000000000000001', { stopped: 'gone' });
		expect((await live.counters(guildId))[0]!.stopped).toBe('gone');
		expect(await live.deleteCounter(guildId, '200000000000000001')).toBe(true);
		expect(await live.counters(guildId)).toEqual([]);
	});
});
