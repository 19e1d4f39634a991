#!/usr/bin/env bash
# kill -9 in the middle of one-click accepts, restart on the same database, and check against
# Dodo (a second server's sandbox) that no offer was charged twice or lost. Fails loudly.
# Writes bench/results/crash.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
python3 scripts/bench/crash.py
