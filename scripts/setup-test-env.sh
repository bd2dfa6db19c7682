#!/usr/bin/env bash
# What the test suite needs beyond `npm ci`, provided or explained in one message. Run by `npm test`
# (pretest) and by .ci/run. Idempotent and quick when everything is there (no apt, no waits).
#   - Chromium (the dashboard e2e test): Debian's package, installed when root on Debian.
#   - Redis on 127.0.0.1:6379 (BullMQ and fleet tests): started if installed but stopped.
#   - PostgreSQL on 127.0.0.1:5432 with database "test" (sharding and store tests): started if
#     installed but stopped; the database is created if missing.
set -uo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
PG_URL_HOST=127.0.0.1
problems=()

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }
redis_up() {
	if command -v redis-cli >/dev/null 2>&1; then
		[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]
	else
		(exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null
	fi
}
pg_up() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -h "$PG_URL_HOST" -p 5432
	else
		(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
	fi
}
# Polls a check for up to 30 s (services take a moment to accept connections after starting).
wait_for() {
	local check=$1
	for _ in $(seq 1 60); do
		"$check" && return 0
		sleep 0.5
	done
	return 1
}

# --- Chromium ---------------------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
	if is_root && is_debian && [ -z "${CHROMIUM_PATH:-}" ]; then
		echo "setup-test-env: installing Chromium from Debian's packages (apt-get install chromium; a few minutes, once)"
		if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); then
			problems+=("Chromium: apt-get install chromium failed (see apt's output above).")
		fi
	elif is_debian; then
		problems+=("Chromium: not found at $CHROMIUM. Install it: sudo apt-get install chromium (or set CHROMIUM_PATH to a Chrome/Chromium binary).")
	else
		problems+=("Chromium: not found at $CHROMIUM. Install Chromium or Chrome and set CHROMIUM_PATH to its binary.")
	fi
fi

# --- Redis ------------------------------------------------------------------------------------
if ! redis_up; then
	if command -v redis-server >/dev/null 2>&1; then
		echo "setup-test-env: starting Redis on 127.0.0.1:6379"
		mkdir -p /var/lib/redis /var/log/redis 2>/dev/null
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1
		wait_for redis_up || problems+=("Redis: started redis-server but 127.0.0.1:6379 does not answer (see /var/log/redis/ci.log).")
	else
		problems+=("Redis: nothing answers on 127.0.0.1:6379 and redis-server is not installed. Install it: sudo apt-get install redis-server (the tests of several processes need it; the bot itself does not).")
	fi
fi

# --- PostgreSQL -------------------------------------------------------------------------------
if ! pg_up; then
	if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
		version=$(ls /etc/postgresql | sort -V | tail -n1)
		echo "setup-test-env: starting PostgreSQL $version on 127.0.0.1:5432"
		pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1
		wait_for pg_up || problems+=("PostgreSQL: started cluster $version/main but 127.0.0.1:5432 does not answer (see /var/log/postgresql/).")
	else
		problems+=("PostgreSQL: nothing answers on 127.0.0.1:5432 and no cluster is installed. Install it: sudo apt-get install postgresql (with trust authentication for 127.0.0.1 and a database named test).")
	fi
fi
if pg_up && command -v psql >/dev/null 2>&1; then
	if ! psql -h "$PG_URL_HOST" -U postgres -d test -tAc 'select 1' >/dev/null 2>&1; then
		if psql -h "$PG_URL_HOST" -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
			echo "setup-test-env: creating the PostgreSQL database \"test\""
			createdb -h "$PG_URL_HOST" -U postgres test >/dev/null 2>&1 || problems+=("PostgreSQL: could not create the database \"test\" (createdb -h 127.0.0.1 -U postgres test).")
		else
			problems+=("PostgreSQL: user postgres cannot connect to 127.0.0.1:5432 without a password. The tests expect trust authentication for 127.0.0.1 (pg_hba.conf) and a database named test.")
		fi
	fi
fi

if [ ${#problems[@]} -gt 0 ]; then
	{
		echo "The test suite cannot run on this machine yet:"
		for problem in "${problems[@]}"; do echo "  - $problem"; done
	} >&2
	exit 1
fi
