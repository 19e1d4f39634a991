#!/usr/bin/env bash
# `make run`: installs what is missing, builds the release build (what a merchant
# deploys: 190 KB of gzip bundle instead of the debug build's 837 KB) and serves it.
# With nothing configured that is the embedded default: a SQLite file under data/,
# the built-in Dodo sandbox, demo data and printed demo logins. `make dev` is the
# watch loop instead.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

scripts/install.sh
scripts/build-release.sh

# What cargo-leptos would pass to the server (see [package.metadata.leptos]).
export LEPTOS_OUTPUT_NAME=upsell_dashboard
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_RELOAD_PORT="${LEPTOS_RELOAD_PORT:-3001}"
export LEPTOS_HASH_FILES=true
export LEPTOS_ENV=PROD
exec target/release/upsell_dashboard
