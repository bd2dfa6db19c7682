import { SlashCommandBuilder } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { buildGuildStatsCommand } from '#lib/guildstats/guildStatsCommandData.js';

type Option = { name: string; description: string; type: number; options?: Option[]; required?: boolean; min_value?: number; max_value?: number; channel_types?: number[] };

describe('/guildstats live and counter schema', () => {
	const command = buildGuildStatsCommand(new SlashCommandBuilder()).toJSON() as unknown as { options: Option[] };
	const group = (name: string) => command.options.find((option) => option.name === name && option.type === 2)!;

	it("fits Discord's limits (25 options per level, descriptions of 1-100 characters)", () => {
		expect(command.options.length).toBeLessThanOrEqual(25);
		const walk = (options: Option[]) => {
			for (const option of options) {
				expect(option.description.length, option.name).toBeGreaterThan(0);
				expect(option.description.length, option.name).toBeLessThanOrEqual(100);
				if (option.options) walk(option.options);
			}
		};
		walk(command.options);
	});

	it('has live set|list|remove and counter add|list|remove, with the documented bounds', () => {
		expect(group('live').options!.map((sub) => sub.name)).toEqual(['set', 'list', 'remove']);
		expect(group('counter').options!.map((sub) => sub.name)).toEqual(['add', 'list', 'remove']);
		const every = group('live').options![0]!.options!.find((option) => option.name === 'every')!;
		expect([every.min_value, every.max_value]).toEqual([5, 1440]);
		const template = group('counter').options![0]!.options!.find((option) => option.name === 'template')!;
		expect(template.required).toBe(true);
		// Voice, stage and category channels only: Discord rewrites text channel names.
		expect(group('counter').options![0]!.options!.find((option) => option.name === 'channel')!.channel_types).toEqual([2, 13, 4]);
	});
});
