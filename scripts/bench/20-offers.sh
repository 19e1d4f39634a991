#!/usr/bin/env bash
# Signed-webhook ingest throughput, one-click and plan-change accept latency, on SQLite and PostgreSQL,
# with a bare axum handler as the reference. Writes bench/results/offers.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# The load generator is built with the server's release profile and features (shared artifacts).
env -u RUSTFLAGS cargo build --release --features ssr --example offers_bench
pg_started=0
# Its own PostgreSQL with fsync and synchronous commit on (the test default turns them off):
# the ingest figure counts an event once it is durable.
if [ -z "${BENCH_POSTGRES_URL:-}" ] && PG_DURABLE=1 scripts/pg.sh start >/dev/null 2>&1; then
  BENCH_POSTGRES_URL="$(cat target/pg/url)"
  pg_started=1
fi
trap '[ "$pg_started" = 1 ] && scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
export BENCH_POSTGRES_URL="${BENCH_POSTGRES_URL:-}"
python3 scripts/bench/offers.py
