// pm2 process file. `pm2 start ecosystem.config.cjs` (single process) or
// `pm2 start ecosystem.config.cjs --only nexus-shards` (sharded, see README "Scaling out"),
// `--only nexus-rest-proxy` (one REST budget for every process, with REST_PROXY_URL).
// The bot loads .env itself (cwd below); we read it here only to size kill_timeout.
const path = require('node:path');
const fs = require('node:fs');

function readEnvFile() {
	const file = path.join(__dirname, '.env');
	if (!fs.existsSync(file)) return {};
	try {
		return require('dotenv').parse(fs.readFileSync(file));
	} catch {
		return {};
	}
}

const fileEnv = readEnvFile();
const shutdownTimeoutMs = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? fileEnv.SHUTDOWN_TIMEOUT_MS ?? 10_000);
// pm2 SIGKILLs after kill_timeout (default 1600 ms!): give the graceful shutdown its full deadline plus margin.
const killTimeout = shutdownTimeoutMs + 5_000;

const common = {
	cwd: __dirname,
	exec_mode: 'fork',
	instances: 1,
	// No --enable-source-maps: it costs ~9 MB of RSS and parses maps whenever an error's stack is read
	// (bench/lean). Stack traces name dist/*.js lines, which tsc keeps close to src/; add it through
	// NODE_OPTIONS when debugging.
	kill_timeout: killTimeout,
	// Fork mode, so `pm2 reload` is a restart (pm2 runs old and new side by side only in cluster mode,
	// which a gateway bot cannot use): SIGINT, the old process drains and flushes (at most
	// SHUTDOWN_TIMEOUT_MS) and exits, and only then does the new one start and log in. Events sent in
	// that gap reach no process. The bot sends process.send('ready') once logged in: with wait_ready,
	// pm2's start/restart/reload finishes only then (or after listen_timeout).
	wait_ready: true,
	listen_timeout: 60_000,
	exp_backoff_restart_delay: 500,
	max_memory_restart: process.env.NEXUS_MAX_MEMORY ?? '768M',
	merge_logs: true,
	time: true,
	env: { NODE_ENV: 'production' }
};

module.exports = {
	apps: [
		{ ...common, name: 'nexus', script: 'dist/index.js' },
		{
			...common,
			// One manager process that spawns SHARD_COUNT shard processes; never run this in pm2 cluster
			// mode or with instances > 1 (that would start duplicate shard sets).
			name: 'nexus-shards',
			script: 'dist/shard-manager.js',
			autorestart: true
		},
		{
			...common,
			// One REST budget for every process (REST_PROXY_URL): start it before the bots. Run ONE per fleet.
			name: 'nexus-rest-proxy',
			script: 'dist/rest-proxy.js',
			max_memory_restart: '256M'
		}
	]
};
