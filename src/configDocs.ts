import type { RawConfig } from '#root/config.js';

/**
 * One line of documentation per setting. `.env.example` and the README's configuration table are
 * generated from this (`npx tsx scripts/env-docs.ts`), and a unit test fails if a setting is missing.
 */
export const CONFIG_DOCS: Record<keyof RawConfig, { group: string; doc: string; example?: string }> = {
	NODE_ENV: { group: 'Process', doc: 'production | development | test.' },
	LOG_LEVEL: { group: 'Process', doc: 'trace | debug | info | warn | error | fatal. warn/info lines are batched to the Logs channel, error/fatal go to Diagnostics at once.' },
	SHUTDOWN_TIMEOUT_MS: { group: 'Process', doc: 'Deadline for a graceful stop (flush stats, reports). pm2 kill_timeout is set 5 s above it.' },
	SHARD_COUNT: { group: 'Process', doc: 'Sharded launch only (dist/shard-manager.js): a number, or auto to ask Discord.' },
	SHARD_IDS: { group: 'Process', doc: 'Several machines: the shards THIS machine runs, e.g. 8-15 or 0,2,4 (with SHARD_COUNT = the whole fleet). Another machine already running one of them is detected through Redis and this launcher refuses to start.' },
	SHARD_MACHINE_INDEX: { group: 'Process', doc: 'Several machines, instead of SHARD_IDS: this machine\'s index from 0, or hostname to take the ordinal at the end of the host name (Kubernetes StatefulSet pod nexus-2 is 2). Machine i of SHARD_MACHINE_COUNT runs an even, contiguous slice of the shards.' },
	SHARD_MACHINE_COUNT: { group: 'Process', doc: 'Several machines: how many machines share the fleet (required with SHARD_MACHINE_INDEX).' },
	MACHINE_NAME: { group: 'Process', doc: 'This machine\'s name in the fleet view, alerts and shard claims. Default: the host name.' },
	REST_PROXY_URL: { group: 'Discord', doc: 'Send every REST call of every process through one @discordjs/proxy (dist/rest-proxy.js, pm2 app nexus-rest-proxy), so the whole fleet stays under Discord\'s global 50 requests/s together. Unset = each process limits itself.' },
	FLEET_PUBLISH_INTERVAL_MS: { group: 'Process', doc: 'How often each process publishes its snapshot and Prometheus text to Redis, for the fleet-wide health report and /metrics.' },

	DISCORD_TOKEN: { group: 'Discord', doc: 'Bot token (required, secret: never logged or reported).', example: '' },
	OWNER_IDS: { group: 'Discord', doc: 'Comma-separated user ids allowed to run owner-only commands (/nexus status, health, test_reporting).' },
	DEV_GUILD_ID: { group: 'Discord', doc: 'Register slash commands in this guild only (instant updates while developing). Unset = global.' },
	DISCORD_API_URL: { group: 'Discord', doc: 'REST base URL override. Only for the local sandbox (npm run demo sets it); leave unset in production.' },

	REDIS_URL: { group: 'Storage', doc: 'Unset = one process runs every scheduled task in-process (embedded scheduler). Set = scheduled tasks on BullMQ and fleet coordination through this Redis; required for several processes (the sharded launcher refuses to start without it). Use AOF persistence in production.' },
	TASKS_QUEUE: { group: 'Storage', doc: 'BullMQ queue name. Processes sharing a queue share the schedule (each tick runs once in total).' },
	DATABASE_URL: { group: 'Storage', doc: 'postgres:// URL for the statistics store (required for several shards); add ?schema=name to use a schema of its own. Unset = SQLite file.' },
	SQLITE_PATH: { group: 'Storage', doc: 'SQLite file used when DATABASE_URL is unset.' },

	REPORT_CHANNEL_DIAGNOSTICS: { group: 'Reporting', doc: 'Channel for errors and critical alerts (sent immediately).' },
	REPORT_CHANNEL_LOGS: { group: 'Reporting', doc: 'Channel for batched warn/info log lines.' },
	REPORT_CHANNEL_ANALYTICS: { group: 'Reporting', doc: 'Channel for 15-minute analytics batches and the daily summary.' },
	REPORT_CHANNEL_PERFORMANCE: { group: 'Reporting', doc: 'Channel for health reports and threshold alerts.' },
	REPORT_FLUSH_INTERVAL_MS: { group: 'Reporting', doc: 'Batch interval for Diagnostics, Logs and Performance (a full message is sent at once).' },
	REPORT_ANALYTICS_INTERVAL_MS: { group: 'Reporting', doc: 'Batch interval for the Analytics channel.' },
	REPORT_SPOOL_DIR: { group: 'Reporting', doc: 'Disk spool for reports that could not be sent (replayed in order later).' },
	REPORT_SPOOL_MAX_BYTES: { group: 'Reporting', doc: 'Spool size bound; when full the oldest entries are dropped and the count reported.' },
	REPORT_CHANNEL_RETRY_MS: { group: 'Reporting', doc: 'How often an unavailable (404/403) report channel is retried.' },
	INCIDENT_GRACE_MS: { group: 'Reporting', doc: 'A dependency (Redis, database, Discord REST or gateway, a report channel) must fail this long before its outage is posted to Diagnostics as one incident; shorter blips stay silent. Reminders follow at most every ALERT_REPEAT_MINUTES, one post on recovery.' },
	ERROR_FOLD_WINDOW_MS: { group: 'Reporting', doc: 'Identical errors (same message pattern and top stack frame) inside this window are posted once, then as one count ("×37 in 10 min"). 0 = no folding.' },
	DAILY_SUMMARY_CRON: { group: 'Reporting', doc: 'When the daily summary of the previous UTC day is posted to Analytics (cron, UTC; 6 fields = seconds first). Missed days are caught up at start.' },
	DAILY_SUMMARY_CLAIM_TTL_MS: {
		group: 'Reporting',
		doc: 'How long a process holds the claim on a day\'s summary without renewing it. If it dies before the summary is sent or spooled, another run posts the day after this.'
	},

	STATS_ENABLED: { group: 'Statistics', doc: 'Capture activity statistics at all.' },
	STATS_FLUSH_INTERVAL_MS: { group: 'Statistics', doc: 'How often changed counters are written (a crash loses at most this much).' },
	STATS_RECOVERY_DIR: {
		group: 'Statistics',
		doc: 'Counters the database could not take (outage, or down at shutdown) are written here (fsync\'d JSON lines) and applied once when it is back (under the ShardingManager, one subdirectory per shard process).'
	},
	VOICE_MIN_SESSION_SECONDS: { group: 'Statistics', doc: 'Voice sessions shorter than this are ignored.' },
	RETENTION_HOURLY_DAYS: { group: 'Statistics', doc: 'Keep hourly buckets this long, then roll them up into days.' },
	STATS_MEMBER_HOURLY_DAYS: {
		group: 'Statistics',
		doc: 'Keep per-member hourly rows (per member, channel and hour) this long, then only their daily rows (server and channel hourly rows stay RETENTION_HOURLY_DAYS). The default covers hour-bucketed reports (up to 7 days) and their previous period; capped at RETENTION_HOURLY_DAYS.'
	},
	RETENTION_DAILY_DAYS: { group: 'Statistics', doc: 'Keep daily rollups this long.' },
	RETENTION_CRON: { group: 'Statistics', doc: 'When retention runs (cron, UTC; 6 fields = seconds first): rolls hourly buckets into days, prunes old rows and due guild deletions.' },
	GUILD_DATA_GRACE_DAYS: { group: 'Statistics', doc: 'After the bot leaves a guild, its data is deleted after this many days (cancelled on rejoin).' },
	CHART_CACHE_TTL_MS: { group: 'Statistics', doc: 'Rendered chart cache lifetime.' },
	CHART_CACHE_MAX: { group: 'Statistics', doc: 'Rendered chart cache size (least recently used evicted).' },
	LIVE_MINUTE_MS: {
		group: 'Statistics',
		doc: 'Length of one minute of `/guildstats live set every:` in ms (100-60000). Only for demos and tests: 1000 makes `every:5` refresh every 5 s. Leave at 60000 in production.'
	},
	COUNTER_RENAME_WINDOW_MS: {
		group: 'Statistics',
		doc: "Counter channels are renamed at most 2 times per this window, per channel (Discord's limit is 2 per 10 minutes). Lower it only against the local sandbox."
	},
	CHART_WORKERS: { group: 'Statistics', doc: 'Worker threads that draw charts (0 = draw on the main thread, which blocks the event loop for each render).' },
	CHART_RENDER_TIMEOUT_MS: { group: 'Statistics', doc: 'A chart worker that has not answered a render within this is terminated and replaced; the member is asked to try again.' },
	GUILDSTATS_EXPORT_COOLDOWN_MS: { group: 'Statistics', doc: 'At most one `/guildstats export` per guild within this time (0 = no limit).' },
	CHART_WORKER_IDLE_MS: { group: 'Statistics', doc: 'A chart worker starts on the first render and exits after this long without one, so an idle bot does not hold Chart.js and Skia in memory.' },

	MONITOR_ENABLED: { group: 'Monitoring', doc: 'Run the samplers, health reports and alerts.' },
	MONITOR_SYSTEM_INTERVAL_MS: { group: 'Monitoring', doc: 'System sample (CPU, memory, disk, network).' },
	MONITOR_PROCESS_INTERVAL_MS: { group: 'Monitoring', doc: 'Process/runtime sample (RSS, heap, event loop, GC, handles).' },
	MONITOR_DISCORD_INTERVAL_MS: { group: 'Monitoring', doc: 'Discord sample (gateway and REST latency, reachability, counts).' },
	MONITOR_MEMORY_INTERVAL_MS: { group: 'Monitoring', doc: 'Memory watch.' },
	MONITOR_ERROR_INTERVAL_MS: { group: 'Monitoring', doc: 'Error-rate check.' },
	MONITOR_COMMAND_INTERVAL_MS: { group: 'Monitoring', doc: 'Command analyzer report.' },
	MONITOR_HEALTH_INTERVAL_MS: { group: 'Monitoring', doc: 'Health report to the Performance channel.' },
	MONITOR_REST_WINDOW_MS: { group: 'Monitoring', doc: 'Window of the REST latency p50/p95 (measured on the bot\'s real requests) that latency alerts use.' },
	ALERT_REPEAT_MINUTES: { group: 'Monitoring', doc: 'An ongoing alert or dependency incident is repeated at most this often (fractions allowed, e.g. 0.5).' },
	ALERT_MEMORY_WARN_PERCENT: { group: 'Monitoring', doc: 'Memory warning threshold (%).' },
	ALERT_MEMORY_CRITICAL_PERCENT: { group: 'Monitoring', doc: 'Memory critical threshold (%).' },
	ALERT_CPU_WARN_PERCENT: { group: 'Monitoring', doc: 'CPU warning threshold (%).' },
	ALERT_CPU_CRITICAL_PERCENT: { group: 'Monitoring', doc: 'CPU critical threshold (%).' },
	ALERT_RESPONSE_WARN_MS: { group: 'Monitoring', doc: 'Command response time warning (ms).' },
	ALERT_RESPONSE_CRITICAL_MS: { group: 'Monitoring', doc: 'Command response time critical (ms).' },
	ALERT_LATENCY_WARN_MS: { group: 'Monitoring', doc: 'Gateway/REST latency warning (ms).' },
	ALERT_LATENCY_CRITICAL_MS: { group: 'Monitoring', doc: 'Gateway/REST latency critical (ms).' },
	ALERT_DISK_CRITICAL_PERCENT: { group: 'Monitoring', doc: 'Disk usage critical threshold (%).' },
	ALERT_EVENT_LOOP_WARN_MS: { group: 'Monitoring', doc: 'Event-loop delay p99 warning (ms).' },

	API_HOST: { group: 'HTTP API', doc: 'Bind address of the metrics API. Loopback by default; expose deliberately.' },
	API_PORT: { group: 'HTTP API', doc: 'Port of /metrics, /api/metrics, /api/health and the dashboard. Unset = API off.' },
	API_TOKEN: { group: 'HTTP API', doc: 'Bearer token every route but /api/health/live requires (secret, >= 16 chars).', example: '' }
};
