// bench/monitoring: what self-monitoring costs an idle bot, against an idle baseline in the same run.
//
// Each variant runs in its own child process (same Node, same loader), so CPU and RSS are not
// mixed with the bench runner or each other, and they run one after the other on a quiet machine:
//   idle        nothing of monitoring loaded;
//   continuous  Monitor started (event-loop histogram, GC observer) + metrics registry with the
//               Node default metrics; no job runs;
//   jobs        every Monitor job on its own timer with the intervals compressed x10, plus a
//               /metrics scrape every 15 s / 10.
// Every child first warms up (module loading, JIT, first samples: reported separately as the
// one-off startup cost; the tsx loader itself burns ~60 ms of CPU 5-10 s after start, so the
// warm-up lasts 12 s), then measures process.cpuUsage() over the same wall time.
// The continuous part does not scale with the intervals and the periodic part does, so at the
// real intervals: cost = (continuous - idle) + (jobs - continuous) / 10. A per-call timing of
// each job cross-checks the periodic part. RSS: jobs child minus idle child at the end.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const COMPRESSION = 10;
const SCRAPE_INTERVAL_MS = 15_000;
type Variant = 'idle' | 'continuous' | 'jobs';

interface ChildResult {
	variant: Variant;
	cpuMs: number;
	wallMs: number;
	startupCpuMs: number;
	rssBytes: number;
	heapUsedBytes: number;
	/** RSS after a full GC: what is retained, without young-generation garbage. */
	rssAfterGcBytes: number;
	reports: Record<string, number>;
	scrapes: number;
	scrapeBytes: number;
	perCallMs?: Record<string, number>;
	resolutionMs?: number;
}

async function child(variant: Variant, warmupMs: number, measureMs: number): Promise<ChildResult> {
	const startupCpu = process.cpuUsage();
	const reports: Record<string, number> = {};
	const report = (_channel: string, input: { event: string }) => void (reports[input.event] = (reports[input.event] ?? 0) + 1);
	let scrapes = 0;
	let scrapeBytes = 0;
	let stop: () => void = () => undefined;
	let resolutionMs: number | undefined;
	let probe: (() => Promise<Record<string, number>>) | undefined;

	if (variant !== 'idle') {
		const [{ Monitor }, { DEFAULT_INTERVALS }, { MONITOR_JOBS }, { MetricsRegistry }] = await Promise.all([
			import('#lib/monitoring/Monitor.js'),
			import('#lib/monitoring/monitorConfig.js'),
			import('#lib/monitoring/monitorTypes.js'),
			import('#lib/metrics/MetricsRegistry.js')
		]);
		const metrics = new MetricsRegistry({ shard: 0 });
		const discord = {
			shards: () => [{ id: 0, ping: 42, status: 0 }],
			guilds: () => 250,
			users: () => 120_000,
			channels: () => 9000,
			uptimeMs: () => process.uptime() * 1000,
			commandsServed: () => 0
		};
		const intervals = Object.fromEntries(MONITOR_JOBS.map((job) => [job, DEFAULT_INTERVALS[job] / COMPRESSION])) as typeof DEFAULT_INTERVALS;
		const monitor = new Monitor({ report, metrics, discord, diskPaths: ['/'], intervals, localTimers: variant === 'jobs' ? MONITOR_JOBS : [] });
		await monitor.start();
		resolutionMs = monitor.process.resolutionMs;
		// Warm every code path once, so the measured window is the steady state.
		for (const job of MONITOR_JOBS) await monitor.runJob(job);
		await metrics.metricsText();
		let scraper: NodeJS.Timeout | undefined;
		if (variant === 'jobs') {
			scraper = setInterval(() => {
				void metrics.metricsText().then((text) => {
					scrapes++;
					scrapeBytes = text.length;
				});
			}, SCRAPE_INTERVAL_MS / COMPRESSION);
		}
		stop = () => {
			clearInterval(scraper);
			monitor.stop();
		};
		probe = async () => {
			// Let jobs the timers started finish: runJob skips a job that is still running.
			await sleep(500);
			const perCall: Record<string, number> = {};
			for (const job of MONITOR_JOBS) {
				const rounds = 20;
				const cpu = process.cpuUsage();
				for (let round = 0; round < rounds; round++) await monitor.runJob(job);
				const used = process.cpuUsage(cpu);
				perCall[job] = (used.user + used.system) / 1000 / rounds;
			}
			const cpu = process.cpuUsage();
			for (let round = 0; round < 20; round++) await metrics.metricsText();
			const used = process.cpuUsage(cpu);
			perCall.scrape = (used.user + used.system) / 1000 / 20;
			return perCall;
		};
	}
	await sleep(warmupMs);
	const startup = process.cpuUsage(startupCpu);
	for (const key of Object.keys(reports)) delete reports[key];
	scrapes = 0;

	const cpu = process.cpuUsage();
	const started = performance.now();
	await sleep(measureMs);
	const used = process.cpuUsage(cpu);
	const wallMs = performance.now() - started;
	const memory = process.memoryUsage();
	globalThis.gc?.();
	globalThis.gc?.();
	const rssAfterGcBytes = process.memoryUsage.rss();
	const measuredReports = { ...reports };
	stop();
	// After the measured window (the probe's rapid calls would skew it, and trip CPU alerts).
	const perCallMs = variant === 'jobs' ? await probe?.() : undefined;
	return {
		variant,
		cpuMs: (used.user + used.system) / 1000,
		wallMs,
		startupCpuMs: (startup.user + startup.system) / 1000,
		rssBytes: memory.rss,
		heapUsedBytes: memory.heapUsed,
		rssAfterGcBytes,
		reports: measuredReports,
		scrapes,
		scrapeBytes,
		perCallMs,
		resolutionMs
	};
}

function runChild(variant: Variant, warmupMs: number, measureMs: number): Promise<ChildResult> {
	const file = fileURLToPath(import.meta.url);
	return new Promise((resolve, reject) => {
		const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file, '--child', variant, String(warmupMs), String(measureMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		proc.stdout.on('data', (chunk) => (out += chunk));
		proc.on('error', reject);
		proc.on('exit', (code) => {
			const line = out.split('\n').find((entry) => entry.startsWith('RESULT '));
			if (code !== 0 || !line) reject(new Error(`bench child ${variant} exited with ${code}: ${out.slice(-500)}`));
			else resolve(JSON.parse(line.slice(7)) as ChildResult);
		});
	});
}

const percentOfCore = (result: ChildResult) => (result.cpuMs / result.wallMs) * 100;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export async function run(): Promise<void> {
	const seconds = Number(process.env.BENCH_MONITORING_SECONDS ?? 30);
	const measureMs = seconds * 1000;
	const warmupMs = Number(process.env.BENCH_MONITORING_WARMUP_SECONDS ?? 12) * 1000;
	console.log(`each variant: ${warmupMs / 1000} s warm-up, then ${seconds} s measured; intervals / ${COMPRESSION} in "jobs"`);
	const idle = await runChild('idle', warmupMs, measureMs);
	const continuous = await runChild('continuous', warmupMs, measureMs);
	const jobs = await runChild('jobs', warmupMs, measureMs);

	const idlePct = percentOfCore(idle);
	const continuousPct = Math.max(0, percentOfCore(continuous) - idlePct);
	const periodicCompressedPct = Math.max(0, percentOfCore(jobs) - percentOfCore(continuous));
	const realPct = continuousPct + periodicCompressedPct / COMPRESSION;
	const { DEFAULT_INTERVALS } = await import('#lib/monitoring/monitorConfig.js');
	const perCall = jobs.perCallMs ?? {};
	const perCallPct = Object.entries(perCall).reduce((sum, [job, ms]) => sum + ms / (job === 'scrape' ? SCRAPE_INTERVAL_MS : DEFAULT_INTERVALS[job as keyof typeof DEFAULT_INTERVALS]), 0) * 100;
	const rssDelta = jobs.rssBytes - idle.rssBytes;
	const retainedDelta = jobs.rssAfterGcBytes - idle.rssAfterGcBytes;

	console.log('');
	console.log(`idle baseline                 ${idlePct.toFixed(3)}% of a core (${idle.cpuMs.toFixed(0)} ms CPU in ${(idle.wallMs / 1000).toFixed(1)} s), RSS ${mb(idle.rssBytes)} MB`);
	console.log(`continuous probes             +${continuousPct.toFixed(3)}% of a core (event-loop histogram at ${continuous.resolutionMs} ms, GC observers, default metrics), RSS ${mb(continuous.rssBytes)} MB`);
	console.log(`all jobs at intervals / ${COMPRESSION}     +${periodicCompressedPct.toFixed(3)}% of a core over continuous (${jobs.scrapes} scrapes of ${(jobs.scrapeBytes / 1024).toFixed(1)} KiB; reports ${JSON.stringify(jobs.reports)}), RSS ${mb(jobs.rssBytes)} MB`);
	console.log(`one-off startup CPU           ${(jobs.startupCpuMs - idle.startupCpuMs).toFixed(0)} ms more than idle (imports, JIT, first sample of each job)`);
	console.log(`CPU per call, ms              ${Object.entries(perCall).map(([job, ms]) => `${job} ${ms.toFixed(2)}`).join(', ')}`);
	console.log(`periodic at real intervals from per-call timing: ${perCallPct.toFixed(3)}% of a core (measured: ${(periodicCompressedPct / COMPRESSION).toFixed(3)}%)`);
	console.log('');
	console.log(`monitoring CPU at real intervals: ${realPct.toFixed(3)}% of one core (target <= 0.5%) ${realPct <= 0.5 ? 'OK' : 'OVER BUDGET'}`);
	console.log(`monitoring RSS: +${mb(rssDelta)} MB vs idle (target <= 20 MB) ${rssDelta <= 20 * 1024 * 1024 ? 'OK' : 'OVER BUDGET'}; after a full GC +${mb(retainedDelta)} MB`);
}

if (process.argv[2] === '--child') {
	const [variant, warmupMs, measureMs] = process.argv.slice(3);
	const result = await child(variant as Variant, Number(warmupMs), Number(measureMs));
	console.log(`RESULT ${JSON.stringify(result)}`);
	process.exit(0);
}
