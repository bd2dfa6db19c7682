import { describe, expect, it } from 'vitest';
import { DISCORD_EPOCH, Permission, seedGuild, shardForGuild, snowflake, SnowflakeGenerator, snowflakeTimestamp } from '../../../sandbox/index.js';

describe('snowflake', () => {
	it('encodes a real timestamp in 17-19 digit ids', () => {
		const at = Date.UTC(2024, 5, 1, 12);
		const id = snowflake(at, 7);
		expect(id).toMatch(/^\d{17,19}$/);
		expect(snowflakeTimestamp(id)).toBe(at);
		expect(BigInt(id) & 0x3fffffn).toBe(7n);
		expect(snowflakeTimestamp(snowflake(DISCORD_EPOCH + 1, 0))).toBe(DISCORD_EPOCH + 1);
	});

	it('generator yields unique, strictly increasing ids even within one millisecond', () => {
		const ids = new SnowflakeGenerator(() => 1_700_000_000_000);
		const list = Array.from({ length: 5000 }, () => ids.next());
		expect(new Set(list).size).toBe(5000);
		for (let i = 1; i < list.length; i++) expect(BigInt(list[i]) > BigInt(list[i - 1])).toBe(true);
	});

	it('routes guilds to shards by (id >> 22) % count', () => {
		const id = snowflake(Date.UTC(2022, 0, 1), 0);
		expect(shardForGuild(id, 1)).toBe(0);
		expect(shardForGuild(id, 4)).toBe(Number((BigInt(id) >> 22n) % 4n));
	});
});

describe('seedGuild', () => {
	it('is deterministic for a seed and differs between seeds', () => {
		expect(seedGuild({ seed: 5 })).toEqual(seedGuild({ seed: 5 }));
		const a = seedGuild({ seed: 5 });
		const b = seedGuild({ seed: 6 });
		expect(a.id).not.toBe(b.id);
		const shared = a.members.filter((m) => b.members.some((n) => n.user.id === m.user.id));
		expect(shared).toHaveLength(0);
	});

	it('builds the default demo guild: 200 members + 2 bots, 15 channels in categories, @everyone and an admin role', () => {
		const guild = seedGuild();
		expect(guild.members).toHaveLength(202);
		expect(guild.members.filter((m) => m.user.bot)).toHaveLength(2);
		expect(new Set(guild.members.map((m) => m.user.id)).size).toBe(202);
		expect(guild.channels).toHaveLength(15);
		const categories = guild.channels.filter((c) => c.type === 4);
		expect(categories).toHaveLength(3);
		expect(guild.channels.filter((c) => c.type === 0)).toHaveLength(8);
		expect(guild.channels.filter((c) => c.type === 2)).toHaveLength(4);
		for (const c of guild.channels.filter((ch) => ch.type !== 4)) expect(categories.map((cat) => cat.id)).toContain(c.parent_id);

		expect(guild.roles.find((r) => r.id === guild.id)?.name).toBe('@everyone');
		const admin = guild.roles.find((r) => r.name === 'Admin')!;
		expect(BigInt(admin.permissions) & Permission.ManageGuild).toBe(Permission.ManageGuild);
		const owner = guild.members.find((m) => m.user.id === guild.owner_id)!;
		expect(owner.roles).toContain(admin.id);

		expect(guild.voice_states.length).toBeGreaterThanOrEqual(3);
		const voiceIds = guild.channels.filter((c) => c.type === 2).map((c) => c.id);
		for (const vs of guild.voice_states) {
			expect(voiceIds).toContain(vs.channel_id);
			expect(guild.members.some((m) => m.user.id === vs.user_id && !m.user.bot)).toBe(true);
		}
		for (const m of guild.members) {
			expect(m.user.id).toMatch(/^\d{17,19}$/);
			expect(Date.parse(m.joined_at)).toBeGreaterThanOrEqual(snowflakeTimestamp(guild.id) - 1);
			expect(Date.parse(m.joined_at)).toBeGreaterThanOrEqual(snowflakeTimestamp(m.user.id));
		}
	});

	it('honours sizes, owner and extra channels with fixed ids', () => {
		const guild = seedGuild({ members: 10_000, bots: 0, textChannels: 3, voiceChannels: 1, categories: 0, ownerId: '123456789012345678', extraChannels: [{ id: '1419516681427882115', name: 'reports' }] });
		expect(guild.members).toHaveLength(10_000);
		expect(guild.owner_id).toBe('123456789012345678');
		expect(guild.members[0].user.id).toBe('123456789012345678');
		expect(guild.channels.find((c) => c.id === '1419516681427882115')).toMatchObject({ type: 0, name: 'reports' });
		expect(guild.channels.every((c) => c.parent_id === null || c.parent_id === undefined)).toBe(true);
		expect(guild.voice_states).toHaveLength(300);
	});
});
