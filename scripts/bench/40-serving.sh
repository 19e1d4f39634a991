#!/usr/bin/env bash
# SSR against static under load (wrk), one-connection p99, keep-alive stalls and the
# bundle's transfer size, on SQLite and PostgreSQL. Writes bench/results/serving.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
command -v wrk >/dev/null || die "wrk missing: run scripts/install.sh"
# The data generator is built with the server's release profile and features (shared artifacts).
env -u RUSTFLAGS cargo build --release --features ssr --example analytics_bench
pg_started=0
if [ -z "${BENCH_POSTGRES_URL:-}" ] && scripts/pg.sh start >/dev/null 2>&1; then
  BENCH_POSTGRES_URL="$(cat target/pg/url)"
  pg_started=1
fi
trap '[ "$pg_started" = 1 ] && scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
export BENCH_POSTGRES_URL="${BENCH_POSTGRES_URL:-}"
python3 scripts/bench/serving.py
