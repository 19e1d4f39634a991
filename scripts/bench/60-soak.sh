#!/usr/bin/env bash
# Soak: two instances on one PostgreSQL database, a third process playing Dodo with 20 % of
# payment calls failing, concurrent purchases, accepts, declines, plan changes and save offers
# for BENCH_SOAK_SECONDS (600). Fails loudly on a double charge, a lost or unexplained offer.
# Writes bench/results/soak.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
pg_started=0
if [ -z "${BENCH_POSTGRES_URL:-}" ]; then
  scripts/pg.sh start >/dev/null || die "the soak runs on PostgreSQL: scripts/pg.sh start failed"
  BENCH_POSTGRES_URL="$(cat target/pg/url)"
  pg_started=1
fi
trap '[ "$pg_started" = 1 ] && scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
export BENCH_POSTGRES_URL
python3 scripts/bench/soak.py
