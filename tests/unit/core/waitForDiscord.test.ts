import { describe, expect, it } from 'vitest';
import { waitForDiscord } from '#lib/discord/waitForDiscord.js';
import { GatewayBotError } from '#lib/fleet/fetchGatewayBot.js';

function harness(failures: number, error: () => Error = () => new GatewayBotError('GET /gateway/bot failed: connect ECONNREFUSED', false)) {
	const lines: string[] = [];
	const sleeps: number[] = [];
	let calls = 0;
	let clock = 0;
	const options = {
		token: 't',
		log: { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) },
		stopped: () => false,
		now: () => clock,
		sleep: async (ms: number) => {
			sleeps.push(ms);
			clock += ms;
		},
		fetchGatewayBot: async () => {
			calls++;
			if (calls <= failures) throw error();
			return { shards: 1, maxConcurrency: 1 };
		}
	};
	return { options, lines, sleeps, calls: () => calls };
}

describe('waitForDiscord', () => {
	it('answers at once when Discord is up, logging nothing', async () => {
		const h = harness(0);
		expect(await waitForDiscord(h.options)).toBe(true);
		expect(h.lines).toEqual([]);
	});

	it('waits with capped exponential backoff; the outage is one warning and one recovery line', async () => {
		const h = harness(8);
		expect(await waitForDiscord({ ...h.options, maxDelayMs: 30_000 })).toBe(true);
		expect(h.sleeps).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
		expect(h.lines.filter((line) => line.startsWith('warn'))).toHaveLength(1);
		expect(h.lines.filter((line) => line.startsWith('info'))).toEqual(['info Discord answers again after 121 s (8 failed probe(s)); logging in.']);
	});

	it('a wrong token fails at once; a shutdown ends the wait', async () => {
		const bad = harness(5, () => new GatewayBotError('GET /gateway/bot answered 401: DISCORD_TOKEN is invalid', true));
		await expect(waitForDiscord(bad.options)).rejects.toThrow(/401/);
		expect(bad.calls()).toBe(1);
		let stop = false;
		const down = harness(1000);
		const waiting = waitForDiscord({ ...down.options, stopped: () => stop, sleep: async () => void (stop = true) });
		expect(await waiting).toBe(false);
	});
});
