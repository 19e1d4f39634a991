#!/usr/bin/env bash
# Throwaway PostgreSQL for the tests: `scripts/pg.sh start` prints its URL and
# writes it to $PG_STATE/url; `scripts/pg.sh stop` stops it and deletes it all.
#
# It runs Debian's binaries directly (no cluster, no service): no daemon runs on
# these machines before CI, and the packaged cluster on 5432 may be in use or
# down. Data lives in a fresh temp dir, so every run starts empty.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_STATE="${PG_STATE:-$REPO_ROOT/target/pg}"

pg_bindir() {
  local d
  # Newest major version if several are installed.
  d="$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1 || true)"
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (run scripts/install.sh)"
  fi
  printf '%s\n' "$d"
}

# postgres refuses to run as root, so as root everything runs as the
# `postgres` user (created by Debian's package; created here if absent).
run_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

setup_user() {
  PG_USER="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    PG_USER=postgres
    id -u "$PG_USER" >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
  fi
}

stop() {
  [ -f "$PG_STATE/dir" ] || return 0
  local dir bindir
  dir="$(cat "$PG_STATE/dir")"
  bindir="$(pg_bindir)"
  setup_user
  if [ -f "$dir/data/postmaster.pid" ]; then
    # immediate: the data is thrown away anyway, no need for a checkpoint.
    run_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  # Guard the rm: only ever delete a dir this script made.
  case "$dir" in
    */upsell-pg.*) rm -rf "$dir" ;;
  esac
  rm -f "$PG_STATE/dir" "$PG_STATE/url" "$PG_STATE/port"
}

start() {
  local bindir dir port url attempt
  bindir="$(pg_bindir)"
  setup_user
  # A leftover from an interrupted run would otherwise leak a server.
  stop
  mkdir -p "$PG_STATE"

  dir="$(mktemp -d "${TMPDIR:-/tmp}/upsell-pg.XXXXXX")"
  printf '%s\n' "$dir" >"$PG_STATE/dir"
  if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER" "$dir"; fi

  # Locale C + UTF8: independent of which locales the machine generated.
  run_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  # The free port can be taken between probing and binding: retry a few times.
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    # Socket in the temp dir: /var/run/postgresql may not exist or be writable.
    # fsync etc. off: durability is pointless for a throwaway test database. PG_DURABLE=1
    # keeps PostgreSQL's defaults (fsync, synchronous_commit, full page writes on) for
    # benches whose figure includes "durable before the answer".
    local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${PG_DURABLE:-0}" = 1 ] && durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
    if run_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir $durability -c max_connections=200" \
        start >/dev/null; then
      break
    fi
    [ "$attempt" -eq 5 ] && { tail -n 20 "$dir/server.log" >&2 || true; die "PostgreSQL did not start"; }
    log "PostgreSQL failed to start on port $port (attempt $attempt); retrying"
  done

  url="postgres://postgres@127.0.0.1:$port/postgres"
  printf '%s\n' "$port" >"$PG_STATE/port"
  printf '%s\n' "$url" >"$PG_STATE/url"
  printf '%s\n' "$url"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) cat "$PG_STATE/url" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
