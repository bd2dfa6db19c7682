import { describe, expect, it } from 'vitest';
import { loadConfig } from '#root/config.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.secret-token-value-xyz';

describe('live statistics settings', () => {
	it("default to Discord's real clock: a minute of `every:` is 60 s, 2 renames per 10 minutes", () => {
		const result = loadConfig({ DISCORD_TOKEN: TOKEN });
		expect(result.ok && [result.config.LIVE_MINUTE_MS, result.config.COUNTER_RENAME_WINDOW_MS]).toEqual([60_000, 600_000]);
	});

	it('accept a shortened clock for demos and tests, and refuse values out of range by name', () => {
		const short = loadConfig({ DISCORD_TOKEN: TOKEN, LIVE_MINUTE_MS: '300', COUNTER_RENAME_WINDOW_MS: '3000' });
		expect(short.ok && [short.config.LIVE_MINUTE_MS, short.config.COUNTER_RENAME_WINDOW_MS]).toEqual([300, 3000]);
		const bad = loadConfig({ DISCORD_TOKEN: TOKEN, LIVE_MINUTE_MS: '10', COUNTER_RENAME_WINDOW_MS: 'soon' });
		expect(bad.ok).toBe(false);
		if (!bad.ok) expect(bad.problems.map((problem) => problem.variable).sort()).toEqual(['COUNTER_RENAME_WINDOW_MS', 'LIVE_MINUTE_MS']);
		// Longer than a real minute would make `every:` lie.
		expect(loadConfig({ DISCORD_TOKEN: TOKEN, LIVE_MINUTE_MS: '120000' }).ok).toBe(false);
	});
});
