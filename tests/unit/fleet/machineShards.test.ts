import { describe, expect, it } from 'vitest';
import { describeShardIds, machineShards, ordinalFromHostname, parseShardIds } from '#lib/fleet/machineShards.js';

describe('machineShards', () => {
	it('parses ids and ranges, sorted and distinct', () => {
		expect(parseShardIds('8-15')).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
		expect(parseShardIds('4, 0-2, 2')).toEqual([0, 1, 2, 4]);
		expect(() => parseShardIds('3-1')).toThrow(/SHARD_IDS has a range that runs backwards/);
		expect(() => parseShardIds('a')).toThrow(/SHARD_IDS must be shard ids/);
	});

	it('SHARD_IDS must lie inside the fleet', () => {
		expect(machineShards(16, { shardIds: '8-15' })).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
		expect(() => machineShards(8, { shardIds: '6-9' })).toThrow('SHARD_IDS names shard 8, 9, but the fleet has 8 shard(s) (ids 0-7)');
		expect(() => machineShards(8, { shardIds: '0', machineIndex: '1', machineCount: 2 })).toThrow(/both set/);
	});

	it('machine i of n gets an even contiguous slice; together the machines cover every shard once', () => {
		const slices = [0, 1, 2].map((index) => machineShards(10, { machineIndex: String(index), machineCount: 3 }));
		expect(slices.map(describeShardIds)).toEqual(['0-2', '3-5', '6-9']);
		expect(slices.flat()).toEqual([...Array(10).keys()]);
		expect(() => machineShards(10, { machineIndex: '3', machineCount: 3 })).toThrow('SHARD_MACHINE_INDEX is 3, but SHARD_MACHINE_COUNT is 3 (indexes 0-2)');
		expect(() => machineShards(10, { machineIndex: '0' })).toThrow(/SHARD_MACHINE_COUNT is required/);
		expect(() => machineShards(2, { machineIndex: '0', machineCount: 3 })).toThrow(/more machines than the fleet's 2 shard/);
	});

	it('a StatefulSet pod takes its ordinal from the host name', () => {
		expect(ordinalFromHostname('nexus-12')).toBe(12);
		expect(machineShards(4, { machineIndex: 'hostname', machineCount: 2, hostname: 'nexus-1' })).toEqual([2, 3]);
		expect(() => machineShards(4, { machineIndex: 'hostname', machineCount: 2, hostname: 'laptop' })).toThrow(/does not end in -<number>/);
	});

	it('every shard by default', () => {
		expect(machineShards(3, {})).toEqual([0, 1, 2]);
		expect(describeShardIds([0, 1, 2, 5, 7, 8])).toBe('0-2, 5, 7-8');
	});
});

describe('config: a machine\'s share', () => {
	it('names every mistake with its variable, before anything starts', async () => {
		const { loadConfig } = await import('#root/config.js');
		const bad = loadConfig({ DISCORD_TOKEN: 'x', SHARD_IDS: '6-9', SHARD_COUNT: '8' });
		expect(bad.ok).toBe(false);
		expect(!bad.ok && bad.problems).toEqual([expect.objectContaining({ variable: 'SHARD_IDS', reason: expect.stringMatching(/names shard 8, 9, but the fleet has 8 shard/) })]);
		const noCount = loadConfig({ DISCORD_TOKEN: 'x', SHARD_MACHINE_INDEX: '1' });
		expect(!noCount.ok && noCount.problems.map((problem) => problem.variable).sort()).toEqual(['SHARD_COUNT', 'SHARD_MACHINE_COUNT']);
		const good = loadConfig({ DISCORD_TOKEN: 'x', SHARD_COUNT: '16', SHARD_IDS: '8-15', MACHINE_NAME: 'eu-1' });
		expect(good.ok).toBe(true);
	});
});
