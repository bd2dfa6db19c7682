import { describe, expect, it } from 'vitest';
import { PrivacyRegistry, type PrivacyPersistence } from '#lib/stats/PrivacyRegistry.js';
import type { PrivacySnapshot } from '#lib/stats/statsTypes.js';

function fakePersistence(snapshot: PrivacySnapshot, fail = { value: false }) {
	const calls: string[] = [];
	const persistence: PrivacyPersistence = {
		loadPrivacy: async () => snapshot,
		setOptOut: async (userId, mode) => {
			calls.push(`optout ${userId} ${mode}`);
			if (fail.value) throw new Error('db down');
			return ['g'];
		},
		setChannelIgnored: async (guildId, channelId, kind) => {
			calls.push(`ignore ${guildId} ${channelId} ${kind}`);
			if (fail.value) throw new Error('db down');
		},
		setGuildDisabled: async (guildId, disabled) => {
			calls.push(`disable ${guildId} ${disabled}`);
			if (fail.value) throw new Error('db down');
		}
	};
	return { persistence, calls };
}

const snapshot: PrivacySnapshot = {
	optOuts: [{ userId: 'hidden', mode: 'hide' }],
	ignoredChannels: [
		{ guildId: 'g', channelId: 'chan', kind: 'channel' },
		{ guildId: 'g', channelId: 'cat', kind: 'category' }
	],
	disabledGuilds: ['off']
};

describe('PrivacyRegistry', () => {
	it('answers the capture-time checks from the loaded lists', async () => {
		const registry = new PrivacyRegistry(fakePersistence(snapshot).persistence);
		await registry.load();
		expect(registry.isOptedOut('hidden')).toBe(true);
		expect(registry.optOutMode('hidden')).toBe('hide');
		expect(registry.isOptedOut('someone')).toBe(false);
		expect(registry.isChannelIgnored('g', 'chan')).toBe(true);
		expect(registry.isChannelIgnored('g', 'other')).toBe(false);
		expect(registry.isChannelIgnored('g', 'thread', 'other', 'cat')).toBe(true); // via category
		expect(registry.isChannelIgnored('h', 'chan')).toBe(false); // other guild
		expect(registry.isGuildDisabled('off')).toBe(true);
		expect(registry.isChannelIgnored('g', 'cat')).toBe(true); // the category itself
	});

	it('applies changes in memory first and rolls them back when persisting fails', async () => {
		const fail = { value: false };
		const { persistence, calls } = fakePersistence(snapshot, fail);
		const registry = new PrivacyRegistry(persistence);
		await registry.load();
		const pending = registry.setOptOut('u', 'delete');
		expect(registry.isOptedOut('u')).toBe(true); // before the write finished
		await expect(pending).resolves.toEqual(['g']);
		fail.value = true;
		await expect(registry.setOptOut('u', null)).rejects.toThrow('db down');
		expect(registry.optOutMode('u')).toBe('delete');
		await expect(registry.setChannelIgnored('g', 'x', 'channel')).rejects.toThrow();
		expect(registry.isChannelIgnored('g', 'x')).toBe(false);
		await expect(registry.setGuildDisabled('g', true)).rejects.toThrow();
		expect(registry.isGuildDisabled('g')).toBe(false);
		expect(calls).toEqual(['optout u delete', 'optout u null', 'ignore g x channel', 'disable g true']);
	});

	it('a reload that raced a local change does not overwrite it', async () => {
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const { persistence } = fakePersistence(snapshot);
		const registry = new PrivacyRegistry({ ...persistence, loadPrivacy: async () => (await gate, snapshot) });
		const loading = registry.load();
		await registry.setOptOut('new', 'hide');
		release();
		expect(await loading).toBe(false);
		expect(registry.isOptedOut('new')).toBe(true);
	});
});
