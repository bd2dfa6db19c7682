import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from './chromium.js';
import type { DemoContext } from './demoCommands.js';

export interface DemoApiResult {
	/** nexus_* samples in the scrape. */
	nexusSamples: number;
	health: { status: number; body: unknown };
	screenshot: string | null;
}

/**
 * The operator's view of the demo, saved before the bot stops: a Prometheus scrape of /metrics
 * (metrics.prom), the /api/metrics snapshot (api-metrics.json) and a headless Chromium screenshot of
 * the dashboard with the live data (dashboard.png; skipped with a clear line if Chromium is missing).
 */
export async function saveApiArtifacts(context: Pick<DemoContext, 'apiUrl' | 'apiToken' | 'out' | 'say'>): Promise<DemoApiResult> {
	const { apiUrl, apiToken, out, say } = context;
	const headers = { Authorization: `Bearer ${apiToken}` };

	const prom = await fetch(`${apiUrl}/metrics`, { headers });
	if (prom.status !== 200) throw new Error(`GET /metrics answered ${prom.status}`);
	const text = await prom.text();
	writeFileSync(join(out, 'metrics.prom'), text);
	const nexusSamples = text.split('\n').filter((line) => line.startsWith('nexus_')).length;

	const snapshot = await fetch(`${apiUrl}/api/metrics`, { headers });
	if (snapshot.status !== 200) throw new Error(`GET /api/metrics answered ${snapshot.status}`);
	const json = (await snapshot.json()) as { discord: { events: { total: number } }; health: { level: string; score: number } | null };
	writeFileSync(join(out, 'api-metrics.json'), `${JSON.stringify(json, null, 2)}\n`);

	const healthResponse = await fetch(`${apiUrl}/api/health`, { headers });
	const health = { status: healthResponse.status, body: await healthResponse.json() };
	say(
		`API: /metrics ${nexusSamples} nexus_* samples -> metrics.prom; /api/metrics (${json.discord.events.total} gateway events, health ${json.health ? `${json.health.level} ${json.health.score}/100` : 'n/a'}) -> api-metrics.json; /api/health ${health.status}`
	);

	if (!chromiumAvailable()) {
		say(
			`No Chromium at ${CHROMIUM_PATH}: skipping dashboard.png. To get the dashboard screenshot, install it (Debian/Ubuntu: sudo apt-get install chromium) or point CHROMIUM_PATH at a Chrome/Chromium binary, then run npm run demo again.`
		);
		return { nexusSamples, health, screenshot: null };
	}
	const { chromium } = await import('playwright-core');
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
	try {
		const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, reducedMotion: 'reduce' });
		// As an operator would: open the page, give the token once, let it poll a few times.
		await page.goto(`${apiUrl}/dashboard?refresh=2`);
		await page.fill('#token', apiToken);
		await page.click('#login-form button[type=submit]');
		await page.locator('#board').waitFor({ state: 'visible', timeout: 10_000 });
		// Polled from here: waitForFunction would evaluate a string in the page, which the dashboard's CSP forbids.
		const until = Date.now() + 20_000;
		while (Number(await page.locator('body').getAttribute('data-polls')) < 3) {
			if (Date.now() > until) throw new Error('the dashboard did not update three times within 20 s');
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		const file = join(out, 'dashboard.png');
		await page.screenshot({ path: file, fullPage: true });
		say('Dashboard screenshot (headless Chromium, live data) -> dashboard.png');
		return { nexusSamples, health, screenshot: file };
	} finally {
		await browser.close();
	}
}
