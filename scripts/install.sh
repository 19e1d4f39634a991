#!/usr/bin/env bash
# Install every tool the build, tests and benches need. Idempotent and quick
# when everything is already there, so `make test` / `make run` call it each time.
#
# Only the package registries are reachable from these machines (crates.io,
# npm, Debian, PyPI): cargo-leptos must never be left to download a tool itself
# (wasm-bindgen, wasm-opt, sass all fail), so each one is installed here from a
# registry and put on PATH. See /work/shared/TOOLCHAIN.md for the reasons.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 --locked needs rustc 1.96; unlocked pulls 1.96+ crates

command -v rustup >/dev/null || die "rustup not found (expected the machine's rustup toolchain)"
{ command -v node && command -v npm; } >/dev/null || die "node/npm not found"
command -v python3 >/dev/null || die "python3 not found (used for ports, JSON and timing)"

# --- Rust side ---------------------------------------------------------------

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

cargo_leptos_ok() { cargo leptos --version 2>/dev/null | grep -qw "$CARGO_LEPTOS_VERSION"; }

if ! cargo_leptos_ok; then
  # A second concurrent `cargo install` of the same crate would double the
  # 13 min / 3 GB build on a 2-core machine; wait for one already running.
  while command -v pgrep >/dev/null && pgrep -f "cargo install cargo-leptos" >/dev/null 2>&1; do
    log "a cargo-leptos install is already running; waiting for it"
    sleep 15
  done
fi
if ! cargo_leptos_ok; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 13 min and 3 GB once per machine)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
fi

# The CLI must equal the wasm-bindgen crate exactly, or the build fails with
# "schema version" errors. Cargo.lock is the source of truth (the crate is
# pinned with `=` in Cargo.toml).
WB_VERSION="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
[ -n "$WB_VERSION" ] || die "could not read the wasm-bindgen version from Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  log "installing wasm-bindgen-cli $WB_VERSION"
  # 0.2.130's own lockfile names a webpki-roots version the registry lacks,
  # hence the unlocked fallback.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked --force ||
    cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# --- Debian packages ---------------------------------------------------------

apt_missing=()
# Playwright drives Debian's Chromium; its own browser download cannot work here.
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
# scripts/pg.sh runs a throwaway server from Debian's binaries.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_missing+=(postgresql)
# psql is what humans (and pg.sh's self-check) use to poke the test server.
command -v psql >/dev/null || apt_missing+=(postgresql-client)
# Optional: lets bench.sh report brotli sizes too; tiny, so keep numbers comparable across machines.
command -v brotli >/dev/null || apt_missing+=(brotli)
command -v curl >/dev/null || apt_missing+=(curl)
# The serving bench's load generator (make bench).
command -v wrk >/dev/null || apt_missing+=(wrk)

if [ "${#apt_missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${apt_missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}"
fi

# --- npm ---------------------------------------------------------------------

# Playwright's package must never fetch a browser (the download host is unreachable).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Reinstall only when package.json or the lock changed since the last good
# install; the stamp is written last, so an interrupted install is redone.
npm_install() {
  local dir="$1" stamp="$1/node_modules/.install-stamp" name
  name="${dir#"$REPO_ROOT"}"; name="${name#/}"; name="${name:-.}"
  if [ -f "$stamp" ] && [ ! "$dir/package.json" -nt "$stamp" ] &&
     { [ ! -f "$dir/package-lock.json" ] || [ ! "$dir/package-lock.json" -nt "$stamp" ]; }; then
    return 0
  fi
  if [ -f "$dir/package-lock.json" ]; then
    log "npm ci in $name"
    (cd "$dir" && npm ci --no-audit --no-fund)
  else
    log "npm install in $name (no lock yet: this writes package-lock.json, commit it)"
    (cd "$dir" && npm install --no-audit --no-fund)
  fi
  touch "$stamp"
}

# Root: binaryen 132's wasm-opt. cargo-leptos puts node_modules/.bin first on
# PATH; Debian's wasm-opt 108 silently corrupts the release wasm.
npm_install "$REPO_ROOT"
# end2end: @playwright/test + playwright-core, pinned in end2end/package-lock.json.
npm_install "$REPO_ROOT/end2end"

log "tools ready"
