import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_ID, ROOT } from '../../scripts/support/botProcess.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/support/chromium.js';
import { apiEnv, eventually, sleep, trafficTargets, type ApiEnv } from './support/api.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let api: ApiEnv;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const foreignRequests: string[] = [];

const text = (metric: string) => page.locator(`[data-metric="${metric}"]`).innerText();
/** Evaluates an expression in the page (a string: these tests compile without the DOM types). */
const inPage = <T>(expression: string) => page.evaluate(expression) as Promise<T>;

beforeAll(async () => {
	api = await apiEnv();
	[stack, browser] = await Promise.all([
		startStack({
			env: {
				...api.env,
				MONITOR_SYSTEM_INTERVAL_MS: '1000',
				MONITOR_PROCESS_INTERVAL_MS: '1000',
				MONITOR_DISCORD_INTERVAL_MS: '1000',
				MONITOR_HEALTH_INTERVAL_MS: '2000'
			}
		}),
		chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
	]);
	page = await browser.newPage({ viewport: { width: 1440, height: 900 }, reducedMotion: 'reduce' });
	page.on('console', (message) => {
		// The deliberate wrong token below is answered 401, which Chromium logs as a failed resource.
		if (message.type() === 'error' && !/401/.test(message.text())) problems.push(message.text());
	});
	page.on('pageerror', (error) => problems.push(String(error)));
	page.on('request', (request) => {
		if (!request.url().startsWith(api.base)) foreignRequests.push(request.url());
	});
});

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
});

describe('dashboard in headless Chromium', () => {
	it('asks for the token once, refuses a wrong one, keeps the right one in session storage', async () => {
		await page.goto(`${api.base}/?refresh=1`);
		expect(page.url()).toBe(`${api.base}/dashboard`); // the redirect drops the query: use the page URL directly below
		await page.goto(`${api.base}/dashboard?refresh=1`);
		await page.locator('#login').waitFor({ state: 'visible' });
		await page.fill('#token', 'definitely-not-the-token');
		await page.click('#login-form button[type=submit]');
		await expect.poll(() => page.locator('#login-error').innerText()).toMatch(/not accepted/);
		expect(await inPage<string | null>(`sessionStorage.getItem('nexus.apiToken')`)).toBeNull();

		await page.fill('#token', api.token);
		await page.click('#login-form button[type=submit]');
		await page.locator('#board').waitFor({ state: 'visible' });
		expect(await page.locator('#login').isVisible()).toBe(false);
		expect(await inPage<string | null>(`sessionStorage.getItem('nexus.apiToken')`)).toBe(api.token);
		expect(await inPage<number>('localStorage.length')).toBe(0);
		expect(await page.context().cookies()).toEqual([]);
	});

	it('fills the cards with live values', async () => {
		await expect.poll(() => text('guilds'), { timeout: 15_000 }).toBe('1');
		await expect.poll(() => text('health-score'), { timeout: 15_000 }).toMatch(/^\d+$/);
		expect(await text('health-level')).toMatch(/Excellent|Good|Fair|Poor|Critical/);
		expect(await page.locator('#status-pill').getAttribute('data-level')).toMatch(/Excellent|Good|Fair|Poor|Critical/);
		expect(await text('uptime')).toMatch(/^\d+[smhd]/);
		await expect.poll(() => text('latency'), { timeout: 10_000 }).toMatch(/^\d/);
		expect(await text('queue')).toMatch(/^\d+$/);
		expect(await text('spool')).toMatch(/^spool \d/);
		expect(await text('rss')).toMatch(/^\d/);
		expect(await text('commands')).toMatch(/^\d+$/);
	});

	it('updates the cards and charts after injected traffic, without reloading the page', async () => {
		await inPage('window.marker = 42');
		const pollsBefore = Number(await inPage<string>('document.body.dataset.polls'));
		const eventsBefore = await text('events-total');
		const commandsBefore = Number(await text('commands'));

		const { guildId, channelIds, memberIds } = trafficTargets(stack);
		for (let i = 0; i < 40; i++) stack.sandbox.sendMessage({ guildId, channelId: channelIds[i % channelIds.length]!, authorId: memberIds[i % memberIds.length]!, content: `dash ${i}` });
		await stack.sandbox.interact({ guildId, channelId: channelIds[0]!, userId: OWNER_ID, command: 'nexus', subcommand: 'status' }).waitForResponse(undefined, 20_000);

		await expect.poll(() => text('events-total'), { timeout: 10_000 }).not.toBe(eventsBefore);
		await expect.poll(async () => Number(await text('commands')), { timeout: 10_000 }).toBe(commandsBefore + 1);
		const totalAfter = Number((await text('events-total')).split(' ')[0]!.replace(/[^\d]/g, ''));
		expect(totalAfter).toBeGreaterThanOrEqual(Number(eventsBefore.split(' ')[0]!.replace(/[^\d]/g, '')) + 40);
		// events/s saw the burst in one of the polls since.
		await expect.poll(() => inPage<number>(`Math.max(...Chart.getChart('chart-events').data.datasets[0].data.map((point) => point.y))`), { timeout: 5000 }).toBeGreaterThan(0);
		// Same document all along (no reload), polled again several times.
		expect(await inPage<number>('window.marker')).toBe(42);
		await expect.poll(async () => Number(await inPage<string>('document.body.dataset.polls')), { timeout: 5000 }).toBeGreaterThan(pollsBefore + 1);
		// The charts draw the monitor's history.
		const points = await inPage<number[]>(`['chart-health', 'chart-latency', 'chart-system'].map((id) => Chart.getChart(id).data.datasets[0].data.length)`);
		for (const count of points) expect(count).toBeGreaterThan(0);
	});

	it('loads nothing from other origins and logs no errors; screenshot', async () => {
		// Ten more seconds of traffic in waves (a few polls, a dozen monitor samples), so the picture shows live charts.
		const { guildId, channelIds, memberIds } = trafficTargets(stack);
		for (let i = 0; i < 200; i++) {
			stack.sandbox.sendMessage({ guildId, channelId: channelIds[i % channelIds.length]!, authorId: memberIds[(i * 7) % memberIds.length]!, content: `steady ${i}` });
			await sleep(25 + 25 * Math.sin(i / 15) ** 2);
		}
		await expect.poll(() => text('events-rate'), { timeout: 3000 }).not.toBe('0');
		expect(foreignRequests).toEqual([]);
		expect(problems).toEqual([]);
		const png = await page.screenshot({ fullPage: true });
		expect(png.subarray(1, 4).toString()).toBe('PNG');
		expect(png.readUInt32BE(16)).toBe(1440);
		// The README's picture is refreshed on demand, so ordinary test runs leave the work tree clean.
		const target = process.env.UPDATE_DASHBOARD_SCREENSHOT ? join(ROOT, 'docs/images/dashboard.png') : join(tmpdir(), `nexus-dashboard-${process.pid}.png`);
		mkdirSync(dirname(target), { recursive: true });
		writeFileSync(target, png);
	});

	it('a 401 later (token rotated) sends the page back to the token form', async () => {
		await inPage(`sessionStorage.setItem('nexus.apiToken', 'rotated-away-token-000000')`);
		expect(await page.locator('#login').isVisible()).toBe(false);
		await page.locator('#login').waitFor({ state: 'visible', timeout: 5000 });
		expect(await page.locator('#board').isVisible()).toBe(false);
		expect(await page.locator('#login-error').innerText()).toMatch(/not accepted/);
		expect(await inPage<string | null>(`sessionStorage.getItem('nexus.apiToken')`)).toBeNull();
	});
});
