#!/usr/bin/env bash
# Starts, idempotently, the PostgreSQL the tests and benchmarks use: Debian's PostgreSQL (installed by setup.sh) with a
# cluster of its own on 127.0.0.1:${ONWARD_PG_PORT:-55432}, run by an unprivileged user (PostgreSQL refuses root: as
# root it runs as the "postgres" user the package created), trusting connections from this machine only. Prints the
# server's URL. `scripts/postgres.sh stop` stops it.
set -euo pipefail
port="${ONWARD_PG_PORT:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$bin" ] || { echo "postgres: PostgreSQL is not installed; run scripts/setup.sh" >&2; exit 1; }
dir="/var/tmp/onward-postgres-$port"
if [ "$(id -u)" -eq 0 ]; then
  as() { runuser -u postgres -- "$@"; }
else
  as() { "$@"; }
fi
if [ "${1:-start}" = stop ]; then
  [ -f "$dir/data/postmaster.pid" ] && as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  exit 0
fi
ready() { "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; }
# A server that is up but busy (exit code 1: rejecting connections for now) is not started a second time.
running() { [ -f "$dir/data/postmaster.pid" ] && kill -0 "$(head -1 "$dir/data/postmaster.pid")" 2>/dev/null; }
if running; then
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
elif ! ready; then
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as "$bin/initdb" -D "$dir/data" -U onward --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  fi
  as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB" start >/dev/null \
    || { echo "postgres: the server did not start; see $dir/server.log" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
fi
echo "postgres://onward@127.0.0.1:$port/postgres"
