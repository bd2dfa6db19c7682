import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ReportChannelName } from '#root/config.js';
import { REPORTER_LOG_PREFIX } from '#lib/reporting/Reporter.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
import { ErrorFolder } from '#lib/reporting/ErrorFolder.js';
import { ReporterLogStream } from '#lib/reporting/ReporterLogStream.js';

function recorder() {
	const events: { channel: ReportChannelName; input: ReportEventInput }[] = [];
	return { events, reporter: { enqueue: (channel: ReportChannelName, input: ReportEventInput) => void events.push({ channel, input }) } };
}

describe('ReporterLogStream', () => {
	it('as a pino destination: error/fatal -> CRITICAL on diagnostics, warn -> WARNING and info -> INFO on logs, debug dropped', () => {
		const { events, reporter } = recorder();
		const stream = new ReporterLogStream({ reporter });
		const logger = pino({ level: 'debug' }, stream);
		logger.debug('noise');
		logger.info({ guild: '123' }, 'joined a guild');
		logger.warn('slow response');
		logger.error(new Error('database down'), 'query failed');
		logger.fatal('giving up');
		expect(events.map((e) => [e.channel, e.input.severity, e.input.event])).toEqual([
			['logs', 'INFO', 'log.info'],
			['logs', 'WARNING', 'log.warn'],
			['diagnostics', 'CRITICAL', 'log.error'],
			['diagnostics', 'CRITICAL', 'log.fatal']
		]);
		expect(events[0]!.input.data).toEqual({ message: 'joined a guild', guild: '123' });
		expect(typeof events[0]!.input.timestamp).toBe('number');
		expect(events[2]!.input.title).toBe('Error: query failed');
		expect((events[2]!.input.data!.error as { message: string }).message).toBe('database down');
		expect(events[3]!.input.title).toBe('Fatal: giving up');
	});

	it('as a NexusLogger sink, and never throws on garbage', () => {
		const { events, reporter } = recorder();
		const stream = new ReporterLogStream({ reporter, minLevel: 40 });
		stream.sink(30, 'info is below minLevel');
		stream.sink(50, 'boom\nstack line', new Error('boom'));
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({ channel: 'diagnostics', input: { severity: 'CRITICAL', title: 'Error: boom' } });
		expect(stream.write('not json')).toBe(true);
		expect(() => new ReporterLogStream({ reporter: { enqueue: () => { throw new Error('x'); } } }).sink(50, 'm')).not.toThrow();
	});

	it('cuts loops: reporter lines are skipped, and a log line written while forwarding is dropped', () => {
		const events: ReportEventInput[] = [];
		let stream!: ReporterLogStream;
		const reporter = {
			enqueue: (_channel: ReportChannelName, input: ReportEventInput) => {
				events.push(input);
				// A reporter that logs while enqueueing (the loop we must not enter).
				stream.sink(50, 'logged from inside enqueue');
			}
		};
		stream = new ReporterLogStream({ reporter });
		stream.sink(50, 'first');
		stream.write(JSON.stringify({ level: 50, msg: `${REPORTER_LOG_PREFIX} send failed` }));
		expect(events.map((e) => (e.data as { message: string }).message)).toEqual(['first']);
		expect(stream.skipped).toBe(2);
	});

	it('error lines: dependency connection failures go to their incident, identical errors fold into one count, the error rate sees only real errors', () => {
		const { events, reporter } = recorder();
		let now = 0;
		const incidents: string[] = [];
		const counted: string[] = [];
		const folder = new ErrorFolder({ windowMs: 10_000, now: () => now, emit: (folded) => stream.folded(folded) });
		const stream: ReporterLogStream = new ReporterLogStream({
			reporter,
			dependencyOf: (message) => (message.includes('[ScheduledTaskPlugin]') ? 'redis' : undefined),
			incident: (dependency) => incidents.push(dependency),
			folder,
			onError: (message) => counted.push(message)
		});
		for (let i = 0; i < 30; i++) stream.sink(50, '[ScheduledTaskPlugin] Encountered an error when trying to connect to the Redis instance', new Error('connect ECONNREFUSED'));
		const error = new Error('boom');
		for (let i = 0; i < 500; i++) {
			now += 10;
			stream.sink(50, `/guildstats server failed for guild ${1000 + i}: ${error.stack}`, error);
		}
		stream.sink(40, 'a warning', undefined);
		expect(incidents).toHaveLength(30);
		expect(counted).toHaveLength(500);
		expect(events.map((e) => [e.channel, e.input.event])).toEqual([
			['diagnostics', 'log.error'],
			['logs', 'log.warn']
		]);
		now += 10_000;
		folder.closeDue();
		expect(events).toHaveLength(3);
		const summary = events[2]!;
		expect(summary.channel).toBe('diagnostics');
		expect(summary.input.title).toMatch(/^Error ×499 more in 10 s \(first 00:00:00, last 00:00:05\): \/guildstats server failed for guild 1499: Error: boom$/);
		expect(summary.input.data).toMatchObject({ count: 499, firstAt: '1970-01-01T00:00:00.020Z', lastAt: '1970-01-01T00:00:05.000Z', error });
	});
});
