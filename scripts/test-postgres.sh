#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the tests, from Debian's packages.
#
#   scripts/test-postgres.sh start        start one (or reuse a running one); print its URL
#   scripts/test-postgres.sh stop         stop it and remove its files
#   scripts/test-postgres.sh run CMD...   run CMD with GONGWEN_TEST_DATABASE_URL set: to
#                                         $GONGWEN_TEST_POSTGRES_URL when given (a server started
#                                         beforehand), else to a server started for CMD and
#                                         stopped after it
#
# The server never runs as root: as root it runs as Debian's `postgres` user. Its files live in
# $GONGWEN_PG_DIR (default /tmp/gongwen-pg-<user>), it listens on 127.0.0.1:$GONGWEN_PG_PORT
# (default 54329) only, trusts loopback (a test server holds no real data), and keeps fsync off:
# that loses nothing when a process is killed, only when the machine itself stops.
# Without PostgreSQL's programs, `run` says so and exits 0 — or 1 when CI is set, since CI must
# run both halves.
set -euo pipefail

PG_DIR="${GONGWEN_PG_DIR:-/tmp/gongwen-pg-$(id -un)}"
PG_PORT="${GONGWEN_PG_PORT:-54329}"
PG_DB=gongwen_test
PG_USER=gongwen
URL="postgresql+psycopg://${PG_USER}@127.0.0.1:${PG_PORT}/${PG_DB}"

bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_owner() {  # run a PostgreSQL program as the server's (non-root) owner
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() { [ -f "$PG_DIR/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; }

start() {
  if running; then echo "$URL"; return; fi
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
    as_owner "$BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" -A trust -E UTF8 --locale=C.UTF-8 \
      >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  fi
  as_owner "$BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" \
    >/dev/null || { cat "$PG_DIR/server.log" >&2; exit 1; }
  as_owner "$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -qAtc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1 ||
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
  echo "$URL"
}

stop() {
  if running; then as_owner "$BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null; fi
  rm -rf "$PG_DIR"
}

command="${1:-}"; shift || true
BIN="$(bindir || true)"
if [ -z "$BIN" ]; then
  if [ "$command" = run ] && [ -n "${GONGWEN_TEST_POSTGRES_URL:-}" ]; then
    GONGWEN_TEST_DATABASE_URL="$GONGWEN_TEST_POSTGRES_URL" exec "$@"
  fi
  echo "PostgreSQL is not installed: the PostgreSQL half of the tests is skipped." >&2
  echo "Install it with:  sudo apt-get install postgresql" >&2
  if [ "${CI:-}" = true ]; then echo "CI must run both halves: failing." >&2; exit 1; fi
  [ "$command" = run ] && exit 0 || exit 1
fi

case "$command" in
  start) start ;;
  stop)  stop ;;
  run)
    if [ -n "${GONGWEN_TEST_POSTGRES_URL:-}" ]; then
      GONGWEN_TEST_DATABASE_URL="$GONGWEN_TEST_POSTGRES_URL" exec "$@"
    fi
    url="$(start)"
    trap stop EXIT
    GONGWEN_TEST_DATABASE_URL="$url" "$@"
    ;;
  *) echo "usage: $0 start | stop | run CMD..." >&2; exit 2 ;;
esac
