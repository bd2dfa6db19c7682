// bench/render: the `/guildstats server` image on a large synthetic guild (10k members, 500 channels,
// 90 days of hourly data). Cold render vs cache hit, main-thread blocking per cold render, and the same
// chart drawn by chartjs-node-canvas (node-canvas/cairo, what most bots use) in the same run.
// The peer is optional: `bash bench/install-peer.sh` puts it in bench/.peer (git-ignored).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { ChartConfiguration } from 'chart.js';
import { ChartRenderer } from '../src/lib/charts/ChartRenderer.js';
import type { RankingItem, ServerOverviewSpec } from '../src/lib/charts/ChartSpecs.js';
import { ImageCache } from '../src/lib/charts/ImageCache.js';
import { formatBucketLabels } from '../src/lib/charts/formatBucketLabels.js';
import { formatCompact } from '../src/lib/charts/formatNumber.js';

const HOUR = 3_600_000;
const TIME_ZONE = 'America/New_York';
const COLD_RUNS = Number(process.env.BENCH_RENDER_RUNS ?? 20);
const HIT_RUNS = 2_000;
const OUT = join(tmpdir(), 'nexus-bench');

interface PeerModule {
	ChartJSNodeCanvas: new (options: { width: number; height: number }) => {
		registerFont(path: string, options: { family: string; weight?: string }): void;
		renderToBuffer(config: ChartConfiguration): Promise<Buffer>;
	};
}

/** Deterministic pseudo-random numbers. */
function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** 90 days of hourly counts with daily and weekly rhythm, plus top lists picked from 10k members / 500 channels. */
function syntheticGuild(days = 90) {
	const random = seeded(42);
	const start = Date.UTC(2025, 0, 1, 5);
	const hours = days * 24;
	const starts = Array.from({ length: hours }, (_, i) => start + i * HOUR);
	const messages: number[] = [];
	const active: number[] = [];
	const voice: number[] = [];
	for (let i = 0; i < hours; i++) {
		const hourOfDay = i % 24;
		const weekend = Math.floor(i / 24) % 7 >= 5 ? 1.3 : 1;
		const daily = 0.25 + Math.exp(-((hourOfDay - 20) ** 2) / 20) + 0.4 * Math.exp(-((hourOfDay - 13) ** 2) / 8);
		messages.push(Math.round(1200 * daily * weekend * (0.8 + 0.4 * random())));
		active.push(Math.round(380 * daily * weekend * (0.8 + 0.4 * random())));
		voice.push(Math.round(900 * daily * weekend * (0.7 + 0.6 * random())));
	}
	const zipfTop = (count: number, total: number, name: (i: number) => string): RankingItem[] => {
		const weights = Array.from({ length: count }, (_, i) => ({ i, w: (1 / (i + 1)) * (0.5 + random()) }));
		const sum = weights.reduce((a, b) => a + b.w, 0);
		return weights
			.map(({ i, w }) => ({ label: name(i), value: Math.round((w / sum) * total) }))
			.sort((a, b) => b.value - a.value)
			.slice(0, 5);
	};
	const totalMessages = messages.reduce((a, b) => a + b, 0);
	const topChannels = zipfTop(500, totalMessages, (i) => `#channel-${i}-${i % 7 === 0 ? 'with-a-rather-long-name' : 'chat'}`);
	const topMembers = zipfTop(10_000, totalMessages, (i) => `member_${i}`);
	return { starts, messages, active, voice, topChannels, topMembers, totalMessages };
}

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const ms = (n: number) => `${n.toFixed(2)} ms`;

function overviewSpec(data: ReturnType<typeof syntheticGuild>, bucket: 'hour' | 'day'): ServerOverviewSpec {
	const perDay = (values: number[]) => Array.from({ length: values.length / 24 }, (_, d) => values.slice(d * 24, d * 24 + 24).reduce((a, b) => a + b, 0));
	const pick = (values: number[]) => (bucket === 'hour' ? values : perDay(values));
	const voiceTotal = data.voice.reduce((a, b) => a + b, 0);
	return {
		title: 'Server overview',
		subtitle: `Bench Guild · Last 90 days (${bucket === 'hour' ? 'hourly' : 'daily'}) · ${TIME_ZONE}`,
		// Bucket starts, not labels: the renderer formats them in the guild's timezone (in its worker, if any).
		time: { startsMs: bucket === 'hour' ? data.starts : data.starts.filter((_, i) => i % 24 === 0), bucket, timeZone: TIME_ZONE },
		series: [
			{ label: 'Messages', values: pick(data.messages) },
			{ label: 'Active members', values: pick(data.active) },
			{ label: 'Voice minutes', values: pick(data.voice), axis: 'right' }
		],
		axisTitles: { left: 'Messages · members', right: 'Voice minutes' },
		topChannels: data.topChannels,
		topMembers: data.topMembers,
		summary: [
			{ label: 'Messages', value: data.totalMessages },
			{ label: 'Active members', value: 8_734 },
			{ label: 'Voice', value: `${formatCompact(voiceTotal)} min` },
			{ label: 'Joins', value: 1_204 },
			{ label: 'Leaves', value: 377 }
		]
	};
}

interface Samples {
	block: number[];
	draw: number[];
	encode: number[];
	wall: number[];
	/** Longest event-loop stall seen by a 1 ms monitor during each render (independent check of `block`). */
	stall: number[];
	png: Buffer;
}

function samples(): Samples {
	return { block: [], draw: [], encode: [], wall: [], stall: [], png: Buffer.alloc(0) };
}

/** Runs one render under its own event-loop delay monitor. */
async function sample(into: Samples, body: () => Promise<{ block: number; draw?: number; encode?: number; png: Buffer }>): Promise<void> {
	const loop = monitorEventLoopDelay({ resolution: 1 });
	loop.enable();
	// Let the monitor's timer start ticking before the render's synchronous part begins.
	await new Promise((resolve) => setTimeout(resolve, 3));
	const t = performance.now();
	const result = await body();
	into.wall.push(performance.now() - t);
	loop.disable();
	into.stall.push(loop.max / 1e6);
	into.block.push(result.block);
	if (result.draw !== undefined) into.draw.push(result.draw);
	if (result.encode !== undefined) into.encode.push(result.encode);
	into.png = result.png;
}

function summarise(name: string, s: Samples): string {
	const p = (values: number[], q: number) => ms(percentile(values, q));
	return (
		`${name.padEnd(18)} main-thread block p50 ${p(s.block, 50)} (min ${ms(Math.min(...s.block))}, p95 ${p(s.block, 95)}), ` +
		`wall p50 ${p(s.wall, 50)}, loop stall p50 ${p(s.stall, 50)}, PNG ${(s.png.length / 1024).toFixed(0)} KiB` +
		(s.draw.length ? `\n${''.padEnd(18)} of which draw p50 ${p(s.draw, 50)}; encode off-thread p50 ${p(s.encode, 50)}` : '')
	);
}

function ratioLine(ourName: string, ours: Samples, peer: Samples, peerName: string): string {
	const p50 = percentile(ours.block, 50) / percentile(peer.block, 50);
	const min = Math.min(...ours.block) / Math.min(...peer.block);
	const label = `ratio ours ${ourName} / peer ${peerName}`.padEnd(44);
	return `${label} main-thread block p50 ${p50.toFixed(3)} (1/${(1 / p50).toFixed(1)}), min ${min.toFixed(3)}; target <= 1/3 ${p50 <= 1 / 3 ? 'met' : 'NOT met'}`;
}

async function loadPeer(): Promise<PeerModule | string> {
	try {
		const peerRequire = createRequire(new URL('./.peer/package.json', import.meta.url));
		const entry = peerRequire.resolve('chartjs-node-canvas');
		const module = (await import(pathToFileURL(entry).href)) as PeerModule & { default?: PeerModule };
		return module.ChartJSNodeCanvas ? module : (module.default as PeerModule);
	} catch (error) {
		return (error as Error).message.split('\n')[0];
	}
}

export async function run(): Promise<void> {
	mkdirSync(OUT, { recursive: true });
	const data = syntheticGuild();

	console.log(`synthetic guild: 10,000 members, 500 channels, ${data.starts.length} hourly buckets (90 days)`);
	formatBucketLabels(data.starts, 'hour', TIME_ZONE);
	const started = performance.now();
	formatBucketLabels(data.starts, 'hour', TIME_ZONE);
	console.log(`(formatting its ${data.starts.length} hourly labels in ${TIME_ZONE} takes ${ms(performance.now() - started)}; the renderer does it, in its worker if it has one)`);

	const renderer = new ChartRenderer();
	// The same renderer drawing in a worker thread: the event loop only clones data in and the PNG out.
	const threaded = new ChartRenderer({ workers: 1 });
	await threaded.warmUpWorkers(); // spawn and warm the worker up front: this bench measures warm renders
	const cases = [
		{ name: '90d daily (90 pts x 3 series)', spec: overviewSpec(data, 'day') },
		{ name: '90d hourly (2160 pts x 3 series)', spec: overviewSpec(data, 'hour') }
	];

	const first = await renderer.render({ layout: 'serverOverview', ...cases[0].spec });
	console.log(`first render after start (JIT cold): main thread ${ms(first.mainThreadMs)}, encode ${ms(first.encodeMs)}`);

	const peer = await loadPeer();
	let peerCanvas: InstanceType<PeerModule['ChartJSNodeCanvas']> | undefined;
	if (typeof peer === 'string') {
		console.log(`peer chartjs-node-canvas unavailable (${peer}); run \`bash bench/install-peer.sh\` to compare. Printing ours only.`);
	} else {
		peerCanvas = new peer.ChartJSNodeCanvas({ width: renderer.width, height: renderer.height });
		const fonts = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
		peerCanvas.registerFont(join(fonts, 'DejaVuSans.ttf'), { family: renderer.theme.fontFamily });
		peerCanvas.registerFont(join(fonts, 'DejaVuSans-Bold.ttf'), { family: renderer.theme.fontFamily, weight: 'bold' });
	}

	for (const { name, spec } of cases) {
		console.log(`\n-- /guildstats server, ${name}, ${COLD_RUNS} cold renders each, interleaved --`);
		const cache = new ImageCache();
		const parts = (version: number) => ({ guildId: 'bench', report: 'server', options: { range: '90d', timezone: TIME_ZONE }, dataVersion: version });
		const ours = samples();
		const oursWorker = samples();
		const peerAll = samples();
		const peerSame = samples();
		// What a bot typically hands the peer: every point. And, for a backend-only comparison,
		// the exact config we draw (our decimated points).
		const peerVariants = [
			{ into: peerAll, config: () => renderer.chartConfig({ layout: 'serverOverview', ...spec }, { maxLinePoints: Number.POSITIVE_INFINITY })! },
			{ into: peerSame, config: () => renderer.chartConfig({ layout: 'serverOverview', ...spec })! }
		];
		const peerRender = async (config: () => ChartConfiguration) => {
			const t = performance.now();
			// The bot builds its config and calls renderToBuffer: drawing is synchronous inside that
			// call, the PNG is encoded by node-canvas's async toBuffer (off-thread).
			const pending = peerCanvas!.renderToBuffer(config());
			const block = performance.now() - t;
			return { block, png: await pending };
		};

		for (let i = 0; i < 3; i++) {
			await renderer.render({ layout: 'serverOverview', ...spec });
			await threaded.render({ layout: 'serverOverview', ...spec });
			if (peerCanvas) for (const variant of peerVariants) await peerRender(variant.config);
		}
		// Interleaved, so both libraries see the same machine load.
		for (let i = 0; i < COLD_RUNS; i++) {
			// Cold: every request has a new data version, so every one is a cache miss and renders.
			await sample(ours, async () => {
				let timing = { block: 0, draw: 0, encode: 0 };
				const image = await cache.get(parts(i), async () => {
					const result = await renderer.render({ layout: 'serverOverview', ...spec });
					timing = { block: result.mainThreadMs, draw: result.drawMs, encode: result.encodeMs };
					return result.png;
				});
				return { ...timing, png: image.png };
			});
			await sample(oursWorker, async () => {
				const result = await threaded.render({ layout: 'serverOverview', ...spec });
				return { block: result.mainThreadMs, draw: result.drawMs, encode: result.encodeMs, png: result.png };
			});
			if (peerCanvas) for (const variant of peerVariants) await sample(variant.into, () => peerRender(variant.config));
		}

		// Hits: the same request again.
		const hits: number[] = [];
		const hitParts = parts(COLD_RUNS - 1);
		for (let i = 0; i < HIT_RUNS; i++) {
			const t = performance.now();
			await cache.get(hitParts, () => Promise.reject(new Error('should hit')));
			hits.push(performance.now() - t);
		}

		writeFileSync(join(OUT, `ours-${spec.time!.startsMs.length}.png`), ours.png);
		console.log(summarise('ours, in-thread', ours));
		console.log(summarise('ours, worker', oursWorker));
		console.log(`${'ours, cache hit'.padEnd(18)} p50 ${ms(percentile(hits, 50))}, p99 ${ms(percentile(hits, 99))} (target <= 1 ms ${percentile(hits, 99) <= 1 ? 'met' : 'NOT met'})`);
		if (!peerCanvas) continue;
		writeFileSync(join(OUT, `peer-all-points-${spec.time!.startsMs.length}.png`), peerAll.png);
		writeFileSync(join(OUT, `peer-same-config-${spec.time!.startsMs.length}.png`), peerSame.png);
		console.log(summarise('peer, all points', peerAll));
		console.log(summarise('peer, same config', peerSame));
		console.log(ratioLine('in-thread', ours, peerAll, 'all points'));
		console.log(ratioLine('in-thread', ours, peerSame, 'same config'));
		console.log(ratioLine('worker', oursWorker, peerAll, 'all points'));
		console.log(ratioLine('worker', oursWorker, peerSame, 'same config'));
	}
	await threaded.stop();
	console.log(`\nimages written to ${OUT}`);
}
