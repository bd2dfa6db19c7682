import { describe, expect, it } from 'vitest';
import { periodChange } from '#lib/guildstats/periodChange.js';

describe('periodChange', () => {
	it('rounds the percentage and marks the direction', () => {
		expect(periodChange(112, 100)).toEqual({ text: '▲ 12 %', direction: 'up' });
		expect(periodChange(97, 100)).toEqual({ text: '▼ 3 %', direction: 'down' });
		expect(periodChange(100, 100)).toEqual({ text: '± 0 %', direction: 'flat' });
		expect(periodChange(2500, 100)).toEqual({ text: '▲ 2,400 %', direction: 'up' });
		expect(periodChange(0, 40)).toEqual({ text: '▼ 100 %', direction: 'down' });
	});

	it('"new" when the previous period had nothing; nothing when neither had or there is no previous period', () => {
		expect(periodChange(5, 0)).toEqual({ text: 'new', direction: 'new' });
		expect(periodChange(0, 0)).toBeNull();
		expect(periodChange(5, null)).toBeNull();
		expect(periodChange(5, undefined)).toBeNull();
	});

	it('a net figure is compared against the size of the previous one', () => {
		expect(periodChange(5, -5)).toEqual({ text: '▲ 200 %', direction: 'up' });
		expect(periodChange(-10, -5)).toEqual({ text: '▼ 100 %', direction: 'down' });
	});
});
