#!/usr/bin/env bash
# The release build as it is deployed: cargo-leptos (content-hashed bundle names),
# then every text asset compressed once, at build time, as brotli and gzip next to
# the original. The server picks the variant the browser accepts (ServeDir
# precompressed_*), so no request pays for compressing the 460 KB wasm.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

# No RUSTFLAGS: release builds run without erase_components, and a stray value
# would rebuild everything (and not match the other scripts' release build).
env -u RUSTFLAGS cargo leptos build --release

pkg=target/site/pkg
[ -d "$pkg" ] || die "no $pkg after the release build"
# A compressed file whose original is gone (an older hash) is never served again.
for c in "$pkg"/*.br "$pkg"/*.gz; do
  [ -e "$c" ] || continue
  [ -e "${c%.*}" ] || rm -f "$c"
done
for f in "$pkg"/*.wasm "$pkg"/*.js "$pkg"/*.css; do
  [ -e "$f" ] || continue
  # Names carry the content hash: an existing compressed copy is already right.
  [ "$f.br" -nt "$f" ] || brotli --force --best --keep --output="$f.br" "$f"
  [ "$f.gz" -nt "$f" ] || gzip --force --best --keep --no-name "$f"
done
log "bundle precompressed: $(du -ch "$pkg"/*.br | tail -1 | cut -f1) brotli"
