#!/usr/bin/env bash
# Benchmarks of the release build. Each piece is a script
# scripts/bench/NN-name.sh (run in order) that writes bench/results/<name>.json;
# later work adds pieces instead of growing this file.
#
#   scripts/bench.sh               build release, run every piece
#   scripts/bench.sh foundation    only the pieces whose file name contains "foundation"
#   BENCH_SKIP_BUILD=1 ...         reuse the existing release build
#
# Works without PostgreSQL: the server runs on a fresh SQLite file per start.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

scripts/install.sh

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  # No RUSTFLAGS: cargo-leptos release builds run without erase_components,
  # and a stray value here would rebuild everything (and not match test.sh's build).
  log "release build (cargo leptos build --release, precompressed bundle)"
  scripts/build-release.sh
fi

filter="${1:-}"
ran=0
for piece in scripts/bench/[0-9]*.sh; do
  [ -e "$piece" ] || continue
  case "$(basename "$piece")" in *"$filter"*) ;; *) continue ;; esac
  log "bench: $piece"
  bash "$piece"
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || die "no bench piece matches '${filter}'"
log "bench done: results in bench/results/"
