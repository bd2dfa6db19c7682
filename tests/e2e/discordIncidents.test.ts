import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_CHANNEL_IDS, startStack, type Stack } from './support/stack.js';
import { delivered, sleep, waitFor } from './support/reports.js';

/**
 * A Discord outage (REST and gateway down together, the sandbox not listening) is one incident per
 * dependency on Diagnostics: one start and one recovery post each, delivered once Discord is back
 * (the posts themselves wait in the spool meanwhile), and nothing for a blip shorter than the grace.
 * Time is compressed: INCIDENT_GRACE_MS 3 s stands for 30 s; no reminder falls inside an outage this
 * short with ALERT_REPEAT_MINUTES 30.
 */

let stack: Stack;

beforeAll(async () => {
	stack = await startStack({
		env: {
			INCIDENT_GRACE_MS: '3000',
			ALERT_REPEAT_MINUTES: '30',
			REPORT_FLUSH_INTERVAL_MS: '1000',
			// Reports keep coming during the outage, so report sends keep failing as they would in production.
			MONITOR_HEALTH_INTERVAL_MS: '1000'
		}
	});
	await sleep(2000);
});

afterAll(async () => {
	await stack?.stop();
});

/** incident.* events delivered to Diagnostics, in the order raised, with the text they show. */
function incidents() {
	return delivered(stack.sandbox, REPORT_CHANNEL_IDS.diagnostics)
		.filter((event) => event.event?.startsWith('incident.'))
		.map((event) => ({ seq: event.seq, event: event.event!, text: event.text.replaceAll('\\"', '"') }))
		.sort((a, b) => a.seq - b.seq);
}

const about = (label: string) => incidents().filter((event) => event.text.includes(label));

describe('Discord outages as incidents (real bot, sandbox)', () => {
	it('a blip shorter than the grace posts nothing', async () => {
		await stack.sandbox.faults.outage();
		await sleep(400);
		await stack.sandbox.faults.recover();
		// Long enough for the grace to pass, the gateway to resume and the spool to replay.
		await sleep(6000);
		expect(incidents()).toEqual([]);
	});

	it('an outage longer than the grace: one "unavailable" and one "recovered after …" post each for Discord REST and the gateway, after recovery', async () => {
		await stack.sandbox.faults.outage();
		await sleep(9000);
		expect(incidents()).toEqual([]); // nothing reaches Discord while it is down
		await stack.sandbox.faults.recover();
		await waitFor(() => about('Discord REST API recovered').length > 0 && about('Discord gateway recovered').length > 0, 90_000, 'both recovery posts');
		await sleep(3000);
		const rest = about('Discord REST API');
		const gateway = about('Discord gateway');
		expect(rest.map((event) => event.event)).toEqual(['incident.started', 'incident.recovered']);
		expect(gateway.map((event) => event.event)).toEqual(['incident.started', 'incident.recovered']);
		expect(rest[0]!.text).toContain('Discord REST API unavailable: Discord unreachable');
		expect(rest[1]!.text).toMatch(/Discord REST API recovered after \d+ s \(\d+ failures\)/);
		expect(gateway[0]!.text).toMatch(/Discord gateway unavailable: shard 0: /);
		expect(gateway[1]!.text).toMatch(/Discord gateway recovered after \d+ s \(\d+ failures?\)/);
		expect(incidents()).toHaveLength(4);
	});
});
