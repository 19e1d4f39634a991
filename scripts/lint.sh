#!/usr/bin/env bash
# Format check and clippy for both builds (server and browser), warnings as errors.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

# Same RUSTFLAGS as cargo-leptos debug builds (`--cfg erase_components`), so
# clippy and `cargo leptos serve` / `cargo test` share dependency artifacts
# instead of keeping a second copy of everything (+2 min, +4 GB on 2 cores).
DEBUG_RUSTFLAGS="--cfg erase_components"

log "cargo fmt --check"
cargo fmt --all -- --check

log "clippy (server, all targets)"
RUSTFLAGS="$DEBUG_RUSTFLAGS" cargo clippy --features ssr --all-targets -- -D warnings

log "clippy (browser, wasm32)"
RUSTFLAGS="$DEBUG_RUSTFLAGS" cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
