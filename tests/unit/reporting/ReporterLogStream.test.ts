import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ReportChannelName } from '#root/config.js';
import { REPORTER_LOG_PREFIX } from '#lib/reporting/Reporter.js';
import type { ReportEventInput } from '#lib/reporting/ReportEvent.js';
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
});
