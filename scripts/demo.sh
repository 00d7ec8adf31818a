#!/usr/bin/env bash
# The demo pipeline on the local chain. Each step is idempotent; re-running continues.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "local chain (Anvil, state in .anvil/)"
$bin/upgrader node start
step "deploy V1 behind UUPS proxies, governed by a 2-of-3 Safe"
$bin/ape run deploy
