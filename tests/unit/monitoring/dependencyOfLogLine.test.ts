import { describe, expect, it } from 'vitest';
import { addressOf, dependencyOfLogLine } from '#lib/monitoring/dependencyOfLogLine.js';

const addresses = { redis: '127.0.0.1:6390', database: 'db.internal:5432' };
const refused = (port: number, host = '127.0.0.1') => Object.assign(new Error(`connect ECONNREFUSED ${host}:${port}`), { code: 'ECONNREFUSED', address: host, port });

describe('dependencyOfLogLine', () => {
	it("folds the scheduled-tasks plugin's and ioredis's connection errors into Redis", () => {
		expect(dependencyOfLogLine('[ScheduledTaskPlugin] Encountered an error when trying to connect to the Redis instance Error: connect ECONNREFUSED', refused(6390), addresses)).toBe('redis');
		expect(dependencyOfLogLine('[ScheduledTaskPlugin] The BullMQ worker encountered an error Error: Connection is closed.', new Error('Connection is closed.'), addresses)).toBe('redis');
		expect(dependencyOfLogLine('Encountered error on scheduled task "monitorHealth"', refused(6390), addresses)).toBe('redis');
		expect(dependencyOfLogLine('query failed', refused(5432, 'db.internal'), addresses)).toBe('database');
	});

	it('leaves real errors alone', () => {
		expect(dependencyOfLogLine('/guildstats server failed: TypeError: x is undefined', new TypeError('x is undefined'), addresses)).toBeUndefined();
		expect(dependencyOfLogLine('fetch failed', refused(443, '10.0.0.9'), addresses)).toBeUndefined();
		expect(dependencyOfLogLine('[ScheduledTaskPlugin] Scheduled Task handler encountered an error', new Error('job data invalid'), addresses)).toBeUndefined();
	});

	it('addressOf: host:port with the default port', () => {
		expect(addressOf('redis://127.0.0.1:6390/0')).toBe('127.0.0.1:6390');
		expect(addressOf('redis://cache')).toBe('cache:6379');
		expect(addressOf('postgres://u:p@db/x?schema=s')).toBe('db:5432');
		expect(addressOf(undefined)).toBeUndefined();
	});
});
