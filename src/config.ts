import { Cron } from 'croner';
import os from 'node:os';
import { z } from 'zod';
import { machineShards, ShardShareError } from '#lib/fleet/machineShards.js';

/**
 * Every setting of Nexus comes from the environment (`.env` is loaded by index.ts if present).
 * `loadConfig` validates all of it at once and returns either a typed Config or the complete
 * list of problems, so an operator fixes a broken `.env` in one go instead of one restart per typo.
 */

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17-20 digits)');

const snowflakeList = z
	.string()
	.transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
	.pipe(z.array(snowflake));

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const milliseconds = (min = 100) => integer(min, 7 * 24 * 3600_000);
const percent = () => z.coerce.number().min(0).max(100);

const redisUrl = z
	.string()
	.refine((value) => /^rediss?:\/\/[^\s]+$/.test(value) && URL.canParse(value), 'must be a redis:// or rediss:// URL');

const databaseUrl = z
	.string()
	.refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), 'must be a postgres:// URL (leave unset for SQLite)');

/** 5 fields, or 6 with seconds first (tests use a few seconds). Both schedulers read them in UTC. */
const cronPattern = z
	.string()
	.regex(/^\S+(\s+\S+){4,5}$/, 'must be a cron pattern of 5 or 6 fields, e.g. "0 0 * * *"')
	.refine(isValidCron, 'is not a valid cron pattern (minute hour day-of-month month day-of-week), e.g. "0 0 * * *"');

function isValidCron(pattern: string): boolean {
	try {
		new Cron(pattern, { paused: true, timezone: 'UTC' }).stop();
		return true;
	} catch {
		return false;
	}
}

const booleanFlag = z
	.enum(['true', 'false', '1', '0', 'yes', 'no'])
	.transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Examples shown next to an error so the fix is obvious. Secrets get placeholders, never real values. */
export const CONFIG_EXAMPLES: Record<string, string> = {
	DISCORD_TOKEN: 'DISCORD_TOKEN=<your bot token from the Developer Portal>',
	OWNER_IDS: 'OWNER_IDS=123456789012345678,234567890123456789',
	DEV_GUILD_ID: 'DEV_GUILD_ID=123456789012345678',
	DISCORD_API_URL: 'DISCORD_API_URL=http://127.0.0.1:4000/api',
	REDIS_URL: 'REDIS_URL=redis://127.0.0.1:6379',
	DATABASE_URL: 'DATABASE_URL=postgres://nexus@127.0.0.1:5432/nexus',
	REPORT_CHANNEL_DIAGNOSTICS: 'REPORT_CHANNEL_DIAGNOSTICS=1419516681427882115',
	REPORT_CHANNEL_LOGS: 'REPORT_CHANNEL_LOGS=1419517784135700561',
	REPORT_CHANNEL_ANALYTICS: 'REPORT_CHANNEL_ANALYTICS=1419858425424253039',
	REPORT_CHANNEL_PERFORMANCE: 'REPORT_CHANNEL_PERFORMANCE=1420213631030661130',
	API_PORT: 'API_PORT=4100',
	API_HOST: 'API_HOST=127.0.0.1',
	API_TOKEN: 'API_TOKEN=<at least 16 random characters>',
	LOG_LEVEL: 'LOG_LEVEL=info',
	DAILY_SUMMARY_CRON: 'DAILY_SUMMARY_CRON=0 0 * * *',
	RETENTION_CRON: 'RETENTION_CRON=30 3 * * *',
	SHARD_COUNT: 'SHARD_COUNT=16',
	SHARD_IDS: 'SHARD_IDS=8-15',
	SHARD_MACHINE_INDEX: 'SHARD_MACHINE_INDEX=1',
	SHARD_MACHINE_COUNT: 'SHARD_MACHINE_COUNT=2'
};

export const configSchema = z
	.object({
		NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
		LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),

		// Discord
		DISCORD_TOKEN: z.string({ error: 'is required' }).min(1, 'is required'),
		OWNER_IDS: snowflakeList.default([]),
		DEV_GUILD_ID: snowflake.optional(),
		/** REST base URL; only set to point the bot at the local sandbox. */
		DISCORD_API_URL: z.url({ error: 'must be an http(s) URL' }).optional(),

		// Storage
		/** Unset = one process with the embedded scheduler; set = BullMQ on this Redis (required for several processes). */
		REDIS_URL: redisUrl.optional(),
		/** BullMQ queue name; separate fleets (or test runs) by queue, never by prefix. */
		TASKS_QUEUE: z.string().regex(/^[\w-]{1,64}$/, 'letters, digits, _ and - only').default('nexus'),
		DATABASE_URL: databaseUrl.optional(),
		SQLITE_PATH: z.string().min(1).default('./data/nexus.sqlite'),

		// Reporting
		REPORT_CHANNEL_DIAGNOSTICS: snowflake.default('1419516681427882115'),
		REPORT_CHANNEL_LOGS: snowflake.default('1419517784135700561'),
		REPORT_CHANNEL_ANALYTICS: snowflake.default('1419858425424253039'),
		REPORT_CHANNEL_PERFORMANCE: snowflake.default('1420213631030661130'),
		REPORT_FLUSH_INTERVAL_MS: milliseconds().default(30_000),
		REPORT_ANALYTICS_INTERVAL_MS: milliseconds().default(900_000),
		REPORT_SPOOL_DIR: z.string().min(1).default('./data/spool'),
		REPORT_SPOOL_MAX_BYTES: integer(1024).default(50 * 1024 * 1024),
		REPORT_CHANNEL_RETRY_MS: milliseconds(1000).default(10 * 60_000),
		INCIDENT_GRACE_MS: milliseconds(0).default(30_000),
		ERROR_FOLD_WINDOW_MS: milliseconds(0).default(10 * 60_000),
		/** Cron (UTC) of the daily summary; 5 fields, or 6 with seconds first (tests use a few seconds). */
		DAILY_SUMMARY_CRON: cronPattern.default('0 0 * * *'),
		/** How long a process holds a day's summary claim without renewing it (a crashed owner's day is retried after this). */
		DAILY_SUMMARY_CLAIM_TTL_MS: milliseconds(1000).default(300_000),

		// Statistics
		STATS_ENABLED: booleanFlag.default(true),
		STATS_FLUSH_INTERVAL_MS: milliseconds().default(60_000),
		STATS_RECOVERY_DIR: z.string().min(1).default('./data/recovery'),
		VOICE_MIN_SESSION_SECONDS: integer(0, 3600).default(10),
		RETENTION_HOURLY_DAYS: integer(1, 3650).default(90),
		/** Per-member hourly rows (the bulk of a busy guild's store); capped at RETENTION_HOURLY_DAYS. */
		STATS_MEMBER_HOURLY_DAYS: integer(2, 3650).default(15),
		RETENTION_DAILY_DAYS: integer(1, 36500).default(730),
		/** Cron (UTC) of the retention run; 5 fields, or 6 with seconds first. */
		RETENTION_CRON: cronPattern.default('30 3 * * *'),
		GUILD_DATA_GRACE_DAYS: integer(0, 3650).default(30),
		CHART_CACHE_TTL_MS: milliseconds(1000).default(5 * 60_000),
		CHART_CACHE_MAX: integer(1, 10_000).default(100),
		CHART_WORKERS: integer(0, 8).default(1),
		CHART_RENDER_TIMEOUT_MS: milliseconds(1000).default(20_000),
		GUILDSTATS_EXPORT_COOLDOWN_MS: integer(0, 7 * 24 * 3600_000).default(10 * 60_000),
		/** Length of one minute of `/guildstats live set every:` — shortened for demos and tests only. */
		LIVE_MINUTE_MS: integer(100, 60_000).default(60_000),
		/** Discord allows 2 channel renames per this window (10 min); lower only against the sandbox. */
		COUNTER_RENAME_WINDOW_MS: integer(1000, 3_600_000).default(600_000),
		CHART_WORKER_IDLE_MS: milliseconds().default(600_000),

		// Monitoring
		MONITOR_ENABLED: booleanFlag.default(true),
		MONITOR_SYSTEM_INTERVAL_MS: milliseconds().default(30_000),
		MONITOR_PROCESS_INTERVAL_MS: milliseconds().default(30_000),
		MONITOR_DISCORD_INTERVAL_MS: milliseconds().default(60_000),
		MONITOR_MEMORY_INTERVAL_MS: milliseconds().default(60_000),
		MONITOR_ERROR_INTERVAL_MS: milliseconds().default(90_000),
		MONITOR_COMMAND_INTERVAL_MS: milliseconds().default(180_000),
		MONITOR_HEALTH_INTERVAL_MS: milliseconds().default(300_000),
		MONITOR_REST_WINDOW_MS: milliseconds(1000).default(300_000),
		ALERT_REPEAT_MINUTES: z.coerce.number().min(0).max(1440).default(30),
		ALERT_MEMORY_WARN_PERCENT: percent().default(75),
		ALERT_MEMORY_CRITICAL_PERCENT: percent().default(90),
		ALERT_CPU_WARN_PERCENT: percent().default(70),
		ALERT_CPU_CRITICAL_PERCENT: percent().default(85),
		ALERT_RESPONSE_WARN_MS: integer(1).default(2000),
		ALERT_RESPONSE_CRITICAL_MS: integer(1).default(5000),
		ALERT_LATENCY_WARN_MS: integer(1).default(200),
		ALERT_LATENCY_CRITICAL_MS: integer(1).default(500),
		ALERT_DISK_CRITICAL_PERCENT: percent().default(90),
		ALERT_EVENT_LOOP_WARN_MS: integer(1).default(100),

		// HTTP API
		API_HOST: z.string().min(1).default('127.0.0.1'),
		API_PORT: integer(0, 65535).optional(),
		API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

		// Process
		SHUTDOWN_TIMEOUT_MS: milliseconds(500).default(10_000),
		SHARD_COUNT: z.union([z.literal('auto'), integer(1, 1000)]).optional(),
		/** This machine's shards when several machines share the fleet ("8-15", "0,2,4"). */
		SHARD_IDS: z.string().regex(/^\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*$/, 'must be shard ids and ranges such as 8-15 or 0,2,4').optional(),
		/** This machine's index among SHARD_MACHINE_COUNT machines, or "hostname" (StatefulSet ordinal). */
		SHARD_MACHINE_INDEX: z.string().regex(/^(\d+|hostname)$/, 'must be a whole number from 0, or hostname').optional(),
		SHARD_MACHINE_COUNT: integer(1, 1000).optional(),
		/** This machine's name in the fleet view and shard claims (default: the host name). */
		MACHINE_NAME: z.string().regex(/^[\w.-]{1,63}$/, 'letters, digits, ., _ and - only (at most 63)').optional(),
		/** Send every REST call through one @discordjs/proxy (one global rate-limit budget for all processes). */
		REST_PROXY_URL: z.url({ error: 'must be an http(s) URL' }).optional(),
		/** How often each process publishes its fleet snapshot and metrics to Redis (health report, fleet-wide /metrics). */
		FLEET_PUBLISH_INTERVAL_MS: milliseconds().default(5000)
	});

const THRESHOLD_PAIRS = [
	['ALERT_MEMORY_WARN_PERCENT', 'ALERT_MEMORY_CRITICAL_PERCENT'],
	['ALERT_CPU_WARN_PERCENT', 'ALERT_CPU_CRITICAL_PERCENT'],
	['ALERT_RESPONSE_WARN_MS', 'ALERT_RESPONSE_CRITICAL_MS'],
	['ALERT_LATENCY_WARN_MS', 'ALERT_LATENCY_CRITICAL_MS']
] as const;

/**
 * Rules that span variables. Checked on the raw strings rather than in a zod refinement,
 * because zod skips object refinements once any field fails, and we want every problem at once.
 */
function crossFieldProblems(env: Record<string, string>): ConfigProblem[] {
	const problems: ConfigProblem[] = [];
	if (env.API_PORT !== undefined && env.API_TOKEN === undefined) {
		problems.push({ variable: 'API_TOKEN', reason: 'is required when API_PORT is set', example: CONFIG_EXAMPLES.API_TOKEN });
	}
	if (env.SHARD_IDS !== undefined && env.SHARD_MACHINE_INDEX !== undefined) {
		problems.push({ variable: 'SHARD_IDS', reason: 'and SHARD_MACHINE_INDEX are both set: give this machine\'s share one way', example: CONFIG_EXAMPLES.SHARD_IDS });
	}
	if (env.SHARD_MACHINE_INDEX !== undefined && env.SHARD_MACHINE_COUNT === undefined) {
		problems.push({ variable: 'SHARD_MACHINE_COUNT', reason: 'is required with SHARD_MACHINE_INDEX (how many machines share the fleet)', example: CONFIG_EXAMPLES.SHARD_MACHINE_COUNT });
	}
	if ((env.SHARD_IDS !== undefined || env.SHARD_MACHINE_INDEX !== undefined) && env.SHARD_COUNT === undefined) {
		problems.push({ variable: 'SHARD_COUNT', reason: 'is required when this machine runs a share of the fleet (SHARD_IDS or SHARD_MACHINE_INDEX): the fleet\'s total, or auto', example: CONFIG_EXAMPLES.SHARD_COUNT });
	}
	const total = Number(env.SHARD_COUNT);
	if (Number.isSafeInteger(total) && total >= 1 && !problems.length) {
		try {
			machineShards(total, { shardIds: env.SHARD_IDS, machineIndex: env.SHARD_MACHINE_INDEX, machineCount: env.SHARD_MACHINE_COUNT === undefined ? undefined : Number(env.SHARD_MACHINE_COUNT), hostname: os.hostname() });
		} catch (error) {
			if (error instanceof ShardShareError) problems.push({ variable: error.variable, reason: error.message.slice(error.variable.length + 1) });
		}
	}
	const defaults = configSchema.parse({ DISCORD_TOKEN: 'x' });
	for (const [warn, critical] of THRESHOLD_PAIRS) {
		const warnValue = Number(env[warn] ?? defaults[warn]);
		const criticalValue = Number(env[critical] ?? defaults[critical]);
		if (Number.isFinite(warnValue) && Number.isFinite(criticalValue) && warnValue >= criticalValue) {
			problems.push({ variable: warn, reason: `must be below ${critical} (${criticalValue})` });
		}
	}
	return problems;
}

export type RawConfig = z.infer<typeof configSchema>;

export type ReportChannelName = 'diagnostics' | 'logs' | 'analytics' | 'performance';
export const REPORT_CHANNELS: readonly ReportChannelName[] = ['diagnostics', 'logs', 'analytics', 'performance'];

export interface Config extends RawConfig {
	reportChannels: Record<ReportChannelName, string>;
	/** Values that must never leave the process; the redactor masks each of them. */
	secrets: string[];
}

export interface ConfigProblem {
	variable: string;
	reason: string;
	example?: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** Empty strings count as unset, as most .env users expect (`API_PORT=` disables the API). */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') out[key] = value.trim();
	return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
	const input = withoutEmpty(env);
	const parsed = configSchema.safeParse(input);
	const extra = crossFieldProblems(input);
	if (!parsed.success || extra.length > 0) {
		const problems = new Map<string, ConfigProblem>();
		for (const issue of parsed.success ? [] : parsed.error.issues) {
			const variable = String(issue.path[0] ?? '(env)');
			const existing = problems.get(variable);
			// Zod's own wording leaks the received value for some checks; keep our messages, which never do.
			const reason = issue.message;
			if (existing) existing.reason += `; ${reason}`;
			else problems.set(variable, { variable, reason, example: CONFIG_EXAMPLES[variable] });
		}
		for (const problem of extra) if (!problems.has(problem.variable)) problems.set(problem.variable, problem);
		return { ok: false, problems: [...problems.values()] };
	}
	const raw = parsed.data!;
	const secrets = [raw.DISCORD_TOKEN, raw.API_TOKEN, passwordOf(raw.DATABASE_URL), passwordOf(raw.REDIS_URL)].filter(
		(value): value is string => typeof value === 'string' && value.length >= 4
	);
	return {
		ok: true,
		config: {
			...raw,
			reportChannels: {
				diagnostics: raw.REPORT_CHANNEL_DIAGNOSTICS,
				logs: raw.REPORT_CHANNEL_LOGS,
				analytics: raw.REPORT_CHANNEL_ANALYTICS,
				performance: raw.REPORT_CHANNEL_PERFORMANCE
			},
			secrets
		}
	};
}

function passwordOf(url: string | undefined): string | undefined {
	if (!url) return undefined;
	try {
		const password = new URL(url).password;
		return password ? decodeURIComponent(password) : undefined;
	} catch {
		return undefined;
	}
}

/** One message naming every bad variable; never echoes a value. */
export function formatConfigProblems(problems: ConfigProblem[]): string {
	const lines = problems.map((problem) => {
		const example = problem.example ? `\n      e.g. ${problem.example}` : '';
		return `  - ${problem.variable}: ${problem.reason}${example}`;
	});
	return `Nexus cannot start: ${problems.length} invalid environment variable${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}\nSee .env.example for every setting.`;
}
