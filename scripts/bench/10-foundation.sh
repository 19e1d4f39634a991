#!/usr/bin/env bash
# Cold start, idle memory and bundle size of the release build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec python3 scripts/bench/foundation.py
