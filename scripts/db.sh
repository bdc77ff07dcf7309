#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, on a loopback port with its own socket dir.
#   bash scripts/db.sh up     starts it and prints `export DATABASE_URL=…` (eval it, or source the env file)
#   bash scripts/db.sh down   stops it and deletes its files
set -euo pipefail

base=${EVENTFOLD_PG_DIR:-/tmp/eventfold-pg}
port=${EVENTFOLD_PG_PORT:-54329}
url="postgres://eventfold:eventfold@127.0.0.1:${port}/eventfold"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL binaries not found (apt-get install -y postgresql)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: as root, run it as the postgres OS user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
up)
  if [ -f "$base/data/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$base/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$base"
  mkdir -p "$base/socket"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$base"; fi
  as_owner "$bin/initdb" -D "$base/data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 \
    || { cat "$base/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
    -o "-p $port -k $base/socket -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
    || { cat "$base/server.log" >&2; exit 1; }
  as_owner "$bin/psql" -h "$base/socket" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE eventfold LOGIN PASSWORD 'eventfold'" -c "CREATE DATABASE eventfold OWNER eventfold" >/dev/null
  echo "export DATABASE_URL=$url" | tee "$base/env"
  ;;
down)
  if [ -d "$base/data" ]; then as_owner "$bin/pg_ctl" -D "$base/data" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$base"
  ;;
*)
  echo "usage: bash scripts/db.sh up|down" >&2
  exit 2
  ;;
esac
