// bench/reporting: (1) events/s through Reporter.enqueue on the main thread, against a baseline of
// Array#push of the same objects measured in the same run; (2) REST calls per 100k mixed-severity
// events posted to the sandbox with Discord's real limits (5 messages / 5 s per channel, 50 req/s),
// with the 429 count and how fast critical events got through.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REST } from 'discord.js';
import { DiscordSandbox, seedGuild } from '../sandbox/index.js';
import type { ReportChannelName } from '../src/config.js';
import { decodeReportMessage } from '../src/lib/reporting/decodeReportMessage.js';
import { Reporter, type ReporterOptions } from '../src/lib/reporting/Reporter.js';
import type { ReportEventInput, Severity } from '../src/lib/reporting/ReportEvent.js';

const CHANNELS: Record<ReportChannelName, string> = {
	diagnostics: '1419516681427882115',
	logs: '1419517784135700561',
	analytics: '1419858425424253039',
	performance: '1420213631030661130'
};
const NAMES = Object.keys(CHANNELS) as ReportChannelName[];
const ENQUEUE_EVENTS = Number(process.env.BENCH_REPORTING_ENQUEUE ?? 1_000_000);
const REST_EVENTS = Number(process.env.BENCH_REPORTING_EVENTS ?? 100_000);

function options(rest: REST, spoolDir: string, extra: Partial<ReporterOptions> = {}): ReporterOptions {
	return {
		rest,
		channels: CHANNELS,
		flushIntervalMs: 30_000,
		analyticsIntervalMs: 900_000,
		spoolDir,
		spoolMaxBytes: 50 * 1024 * 1024,
		channelRetryMs: 600_000,
		secrets: ['bench-secret-value'],
		stderr: () => {},
		...extra
	};
}

function severityOf(i: number): Severity {
	return i % 100 === 0 ? 'CRITICAL' : i % 10 === 0 ? 'WARNING' : 'INFO';
}

function inputs(count: number): ReportEventInput[] {
	return Array.from({ length: count }, (_, i) => ({ event: 'guild.activity', severity: severityOf(i) === 'CRITICAL' ? 'INFO' : severityOf(i), data: { i, guild: '1419516681427882115', messages: i % 97 } }));
}

async function enqueueThroughput(dir: string): Promise<void> {
	const events = inputs(ENQUEUE_EVENTS);
	const rest = new REST({ api: 'http://127.0.0.1:9/api' }).setToken('bench');
	const rounds = 7;
	const reporterRates: number[] = [];
	const baselineRates: number[] = [];
	for (let round = 0; round < rounds; round++) {
		// Baseline: the cheapest possible "queue": push the caller's object into an array.
		const sink: ReportEventInput[] = [];
		let begin = performance.now();
		for (let i = 0; i < events.length; i++) sink.push(events[i]!);
		baselineRates.push(events.length / ((performance.now() - begin) / 1000));

		// Not started: nothing is sent, enqueue does all of its work (seq, timestamp, queue, full-message check).
		const reporter = new Reporter(options(rest, join(dir, `enqueue-${round}`), { maxQueuedEvents: events.length * 2 }));
		begin = performance.now();
		for (let i = 0; i < events.length; i++) reporter.enqueue(NAMES[i & 3]!, events[i]!);
		reporterRates.push(events.length / ((performance.now() - begin) / 1000));
		if (reporter.snapshot().enqueued !== events.length) throw new Error('enqueue lost events');
	}
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
	const reporterRate = median(reporterRates.slice(2)); // first rounds warm the JIT
	const baselineRate = median(baselineRates.slice(2));
	console.log(`enqueue (main thread, ${ENQUEUE_EVENTS.toLocaleString('en-US')} events x ${rounds - 2} measured rounds, median):`);
	console.log(`  Reporter.enqueue   ${(reporterRate / 1e6).toFixed(2)} M events/s  (${(1e9 / reporterRate).toFixed(0)} ns/event)  target >= 1 M/s: ${reporterRate >= 1e6 ? 'OK' : 'MISSED'}`);
	console.log(`  baseline Array#push ${(baselineRate / 1e6).toFixed(2)} M events/s  (${(1e9 / baselineRate).toFixed(0)} ns/event)`);
	console.log(`  ratio enqueue/push: ${(baselineRate / reporterRate).toFixed(1)}x the cost of a bare push`);
}

async function restCalls(dir: string): Promise<void> {
	const sandbox = await DiscordSandbox.start({
		guilds: [seedGuild({ members: 5, textChannels: 1, voiceChannels: 0, categories: 0, extraChannels: NAMES.map((name) => ({ id: CHANNELS[name], name: `nexus-${name}` })) })]
	});
	const rest = new REST({ api: sandbox.apiUrl }).setToken('bench-token');
	// Flush interval shortened from 30 s so the run ends quickly; pacing and limits are the real ones.
	const reporter = new Reporter(options(rest, join(dir, 'rest'), { flushIntervalMs: 2000, analyticsIntervalMs: 2000 }));
	const criticalSentAt = new Map<number, number>();
	const criticalLatency: number[] = [];
	sandbox.onRequest((request) => {
		if (request.route !== 'POST /channels/:id/messages' || request.status !== 200) return;
		for (const event of decodeReportMessage(request.body as never, request.files)) {
			const at = criticalSentAt.get(event.seq);
			if (at !== undefined) criticalLatency.push(request.at - at);
		}
	});
	reporter.start();
	const counts: Record<Severity, number> = { CRITICAL: 0, WARNING: 0, INFO: 0 };
	const begin = performance.now();
	// 100k events over ~5 s (20k/s): 90% INFO, 9% WARNING, 1% CRITICAL, spread over the four channels.
	const perSlice = Math.ceil(REST_EVENTS / 500);
	for (let i = 0; i < REST_EVENTS; ) {
		for (const end = Math.min(REST_EVENTS, i + perSlice); i < end; i++) {
			const severity = severityOf(i);
			counts[severity]++;
			reporter.enqueue(NAMES[i % 4]!, { event: severity === 'CRITICAL' ? 'alert.raised' : 'guild.activity', severity, data: { i, guild: '1419516681427882115', value: i % 113 } });
			if (severity === 'CRITICAL') criticalSentAt.set(reporter.snapshot().seq, Date.now());
		}
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	const total = () => NAMES.reduce((sum, name) => sum + reporter.snapshot().channels[name].sentEvents, 0);
	while (total() < REST_EVENTS && performance.now() - begin < 120_000) await new Promise((resolve) => setTimeout(resolve, 50));
	const seconds = (performance.now() - begin) / 1000;
	const posts = sandbox.requests.filter((r) => r.route === 'POST /channels/:id/messages');
	const snapshot = reporter.snapshot();
	await reporter.stop(AbortSignal.timeout(5000));
	await sandbox.stop();

	const delivered = total();
	console.log(`REST against the sandbox with real limits (${REST_EVENTS.toLocaleString('en-US')} events over ~5 s: ${counts.INFO} INFO, ${counts.WARNING} WARNING, ${counts.CRITICAL} CRITICAL, 4 channels):`);
	console.log(`  delivered ${delivered.toLocaleString('en-US')} events in ${posts.length} REST calls = ${(delivered / posts.length).toFixed(0)} events per call (${((posts.length / delivered) * 100_000).toFixed(0)} calls per 100k; target <= 1 per 20 INFO events: ${posts.length * 20 <= counts.INFO ? 'OK' : 'MISSED'})`);
	for (const name of NAMES) {
		const ch = snapshot.channels[name];
		console.log(`    ${name.padEnd(11)} ${String(ch.sentMessages).padStart(4)} messages for ${ch.sentEvents.toLocaleString('en-US').padStart(7)} events, last send ${ch.lastSendMs ?? '-'} ms`);
	}
	console.log(`  429 responses: ${sandbox.rateLimitHits()} (target 0), non-200 answers: ${posts.filter((r) => r.status !== 200).length}, discord.js rate-limit waits: ${snapshot.rateLimitWaits}`);
	criticalLatency.sort((a, b) => a - b);
	const pick = (q: number) => criticalLatency[Math.min(criticalLatency.length - 1, Math.floor(q * criticalLatency.length))] ?? NaN;
	console.log(`  critical events: enqueue -> in Discord p50 ${pick(0.5)} ms, p95 ${pick(0.95)} ms, max ${criticalLatency.at(-1)} ms (${criticalLatency.length} measured)`);
	console.log(`  all delivered after ${seconds.toFixed(1)} s`);
}

export async function run(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-reporting-'));
	try {
		await enqueueThroughput(dir);
		await restCalls(dir);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
