#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, on a loopback port with its own socket dir,
# with PgBouncer in transaction mode in front of it (on the next port) and a role that cannot create.
#   bash scripts/db.sh up     starts them and prints `export DATABASE_URL=…`, `RESTRICTED_DATABASE_URL=…`
#                             and `PGBOUNCER_URL=…` (eval them, or source the env file)
#   bash scripts/db.sh down   stops them and deletes their files
set -euo pipefail

base=${EVENTFOLD_PG_DIR:-/tmp/eventfold-pg}
port=${EVENTFOLD_PG_PORT:-54329}
bouncer_port=${EVENTFOLD_PGBOUNCER_PORT:-$((port + 1))}
url="postgres://eventfold:eventfold@127.0.0.1:${port}/eventfold"
# The least-privileged role: it may connect and use the tables the owner migrated and granted, nothing more.
restricted_url="postgres://eventfold_app:eventfold_app@127.0.0.1:${port}/eventfold"
bouncer_url="postgres://eventfold:eventfold@127.0.0.1:${bouncer_port}/eventfold"
bouncer=${EVENTFOLD_PGBOUNCER:-/usr/sbin/pgbouncer}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL binaries not found (apt-get install -y postgresql)" >&2
  exit 1
fi

# PostgreSQL and PgBouncer refuse to run as root: as root, run them as the postgres OS user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Stops the PgBouncer of this base dir, if one runs, and waits until it is gone.
stop_bouncer() {
  local pidfile="$base/pgbouncer/pgbouncer.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  fi
  rm -f "$pidfile"
}

# Starts PgBouncer in transaction pool mode; its config, users, log and pid file live under $base/pgbouncer.
start_bouncer() {
  local dir="$base/pgbouncer"
  mkdir -p "$dir"
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
eventfold = host=$base/socket port=$port dbname=eventfold

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir = $base/socket
pool_mode = transaction
auth_type = md5
auth_file = $dir/userlist.txt
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
max_client_conn = 500
default_pool_size = 20
max_db_connections = 60
server_login_retry = 1
EOF
  printf '"eventfold" "eventfold"\n"eventfold_app" "eventfold_app"\n' >"$dir/userlist.txt"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
  chmod 600 "$dir/userlist.txt"
  # Its own output goes to its log: `eval "$(bash scripts/db.sh up)"` must not wait on the daemon.
  as_owner "$bouncer" -d -q "$dir/pgbouncer.ini" </dev/null >/dev/null 2>&1 \
    || { cat "$dir/pgbouncer.log" >&2 2>/dev/null; exit 1; }
  for _ in $(seq 100); do
    if PGPASSWORD=eventfold "$bin/psql" -h 127.0.0.1 -p "$bouncer_port" -U eventfold -d eventfold \
      -tAq -c 'select 1' >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "PgBouncer did not accept connections on port $bouncer_port" >&2
  cat "$dir/pgbouncer.log" >&2
  exit 1
}

case "${1:-}" in
up)
  stop_bouncer
  if [ -f "$base/data/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$base/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$base"
  mkdir -p "$base/socket"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$base"; fi
  as_owner "$bin/initdb" -D "$base/data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 \
    || { cat "$base/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
    -o "-p $port -k $base/socket -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
    || { cat "$base/server.log" >&2; exit 1; }
  # eventfold_app gets CONNECT (through PUBLIC) and no CREATE anywhere; the owner grants it the
  # tables it migrates. Behind a transaction pooler the timeouts are set on the role, not per session.
  as_owner "$bin/psql" -h "$base/socket" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE eventfold LOGIN PASSWORD 'eventfold'" -c "CREATE DATABASE eventfold OWNER eventfold" \
    -c "CREATE ROLE eventfold_app LOGIN PASSWORD 'eventfold_app' NOCREATEDB NOCREATEROLE" \
    -c "ALTER ROLE eventfold_app SET lock_timeout = '10s'" \
    -c "ALTER ROLE eventfold_app SET idle_in_transaction_session_timeout = '10s'" >/dev/null
  as_owner "$bin/psql" -h "$base/socket" -p "$port" -U postgres -d eventfold -v ON_ERROR_STOP=1 -q \
    -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC" -c "REVOKE TEMPORARY ON DATABASE eventfold FROM PUBLIC" >/dev/null
  lines="export DATABASE_URL=$url
export RESTRICTED_DATABASE_URL=$restricted_url"
  if [ -x "$bouncer" ]; then
    start_bouncer
    lines="$lines
export PGBOUNCER_URL=$bouncer_url"
  else
    echo "PgBouncer not found at $bouncer (apt-get install -y pgbouncer): PGBOUNCER_URL is not set" >&2
  fi
  echo "$lines" | tee "$base/env"
  ;;
down)
  stop_bouncer
  if [ -d "$base/data" ]; then as_owner "$bin/pg_ctl" -D "$base/data" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$base"
  ;;
*)
  echo "usage: bash scripts/db.sh up|down" >&2
  exit 2
  ;;
esac
