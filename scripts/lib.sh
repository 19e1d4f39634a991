# Shared helpers, sourced by the other scripts (not executed on its own).
# shellcheck shell=bash

# cargo-installed tools (cargo-leptos, wasm-bindgen) live here; CI shells and
# `sudo` may not have it on PATH.
case ":$PATH:" in
  *":$HOME/.cargo/bin:"*) ;;
  *) export PATH="$HOME/.cargo/bin:$PATH" ;;
esac

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Ask the kernel for a free port instead of hard-coding 3000/3001/5432: this is
# a shared machine and another checkout (or the other engineer's `cargo leptos
# serve`) may hold the usual ones. There is a tiny window between closing the
# probe socket and the real server binding it; callers that can retry do.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Run a command as root: directly when we are root (CI, fresh machine),
# through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (run as root or install sudo)"
  fi
}
