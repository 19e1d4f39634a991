#!/usr/bin/env bash
# The analytics report for a 90-day range over 50 rules with 10 thousand and 10 million offer
# events, on SQLite and PostgreSQL. Writes bench/results/analytics.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
env -u RUSTFLAGS cargo build --release --features ssr --example analytics_bench
pg_started=0
if [ -z "${BENCH_POSTGRES_URL:-}" ] && scripts/pg.sh start >/dev/null 2>&1; then
  BENCH_POSTGRES_URL="$(cat target/pg/url)"
  pg_started=1
fi
trap '[ "$pg_started" = 1 ] && scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
dir="$(mktemp -d)"
mkdir -p bench/results
target/release/examples/analytics_bench "$dir" "${BENCH_POSTGRES_URL:-}" > bench/results/analytics.json
rm -rf "$dir"
cat bench/results/analytics.json
