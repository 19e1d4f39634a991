#!/usr/bin/env bash
# Guard the browser bundle against server code and secrets.
#
#   scripts/check-wasm.sh deps     dependency graph of the hydrate build (no compile, < 1 s)
#   scripts/check-wasm.sh bundle   grep the built site (target/site) for secret markers
#   scripts/check-wasm.sh          both; `bundle` is skipped when nothing is built yet
#
# Why: one missing `optional = true` or `#[cfg(feature = "ssr")]` silently drags
# the database, payment SDK or password hashing into the wasm that every
# visitor downloads; a secret constant used by shared code would ship with it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

# Crates that must never be in the browser build. A name also matches its
# family (`sqlx` matches sqlx-core, sqlx_sqlite...). The last four are not
# in our Cargo.toml but would only arrive with a server stack.
FORBIDDEN_CRATES=(sqlx tokio dodopayments argon2 reqwest axum leptos_axum tower standardwebhooks
                  hyper mio libsqlite3-sys rustls)

# Strings that only server code or configuration should ever contain.
SECRET_MARKERS=(sandbox_key whsec_ DODO_PAYMENTS_API_KEY DODO_WEBHOOK_SECRET password_hash argon2)

SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"

check_deps() {
  local tree name bad=0 crate
  log "checking the hydrate (wasm32) dependency graph for server-only crates"
  # -e normal: build-dependencies and proc-macros' own deps run on the host,
  # not in the browser, so only normal edges count.
  tree="$(cargo tree --target wasm32-unknown-unknown --no-default-features --features hydrate \
            -e normal --prefix none --format '{p}' | awk '{sub(/^v/, "", $2); print $1 "@" $2}' | sort -u)"
  [ -n "$tree" ] || die "cargo tree printed nothing"
  for crate in "${FORBIDDEN_CRATES[@]}"; do
    while IFS= read -r name; do
      [ -n "$name" ] || continue
      # name@version: -i needs the version when several are in the graph.
      printf 'error: server-only crate "%s" is in the wasm (hydrate) build; path to it:\n' "$name" >&2
      # -i shows who pulls it in, which is what one needs to fix it.
      cargo tree --target wasm32-unknown-unknown --no-default-features --features hydrate \
        -e normal -i "$name" 2>/dev/null | head -n 15 >&2 || true
      bad=1
    done < <(printf '%s\n' "$tree" | grep -E "^${crate}([-_][^@]*)?@" || true)
  done
  [ "$bad" -eq 0 ] || die "server-only crates in the browser build (see above): make them optional and ssr-only"
  log "deps ok: none of ${FORBIDDEN_CRATES[*]} in the wasm build"
}

have_bundle() { compgen -G "$SITE_ROOT/pkg/*.wasm" >/dev/null && compgen -G "$SITE_ROOT/pkg/*.js" >/dev/null; }

check_bundle() {
  local marker hits bad=0
  have_bundle || die "no built bundle in $SITE_ROOT/pkg (run 'cargo leptos build --release' first)"
  log "checking $SITE_ROOT (wasm, js, css, assets) for secret markers"
  for marker in "${SECRET_MARKERS[@]}"; do
    # -a: the .wasm is binary, but its data section holds plain strings.
    hits="$(grep -r -a -l -F -- "$marker" "$SITE_ROOT" || true)"
    if [ -n "$hits" ]; then
      printf 'error: secret marker "%s" found in the built site:\n%s\n' "$marker" "$hits" >&2
      bad=1
    fi
  done
  [ "$bad" -eq 0 ] || die "the browser bundle contains server-only strings (see above)"
  log "bundle ok: no secret markers in $SITE_ROOT"
}

case "${1:-all}" in
  deps) check_deps ;;
  bundle) check_bundle ;;
  all)
    check_deps
    if have_bundle; then check_bundle; else log "no bundle in $SITE_ROOT/pkg yet: skipped the secret scan"; fi
    ;;
  *) echo "usage: $0 [deps|bundle|all]" >&2; exit 2 ;;
esac
