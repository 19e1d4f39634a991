#!/usr/bin/env bash
# Replay of a 50-rule map (40 with conditions, 10 followers) over 100,000 recorded purchases, on SQLite and
# PostgreSQL (goal: under 2 s). Writes bench/results/replay.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
env -u RUSTFLAGS cargo build --release --features ssr --example replay_bench
pg_started=0
if [ -z "${BENCH_POSTGRES_URL:-}" ] && scripts/pg.sh start >/dev/null 2>&1; then
  BENCH_POSTGRES_URL="$(cat target/pg/url)"
  pg_started=1
fi
trap '[ "$pg_started" = 1 ] && scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
dir="$(mktemp -d)"
mkdir -p bench/results
target/release/examples/replay_bench "$dir" "${BENCH_POSTGRES_URL:-}" > bench/results/replay.json
rm -rf "$dir"
cat bench/results/replay.json
