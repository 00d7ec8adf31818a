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
step "status: chain vs manifest vs build (V1 in sync, V2 pending)"
$bin/upgrader status
step "plan the upgrade (layout check, CREATE2 deployments, upgradeToAndCall)"
plan="$($bin/upgrader plan --json | $bin/python -c 'import json,sys; print(json.load(sys.stdin)["path"] or "")')"
if [ -z "$plan" ]; then
  echo "nothing to upgrade: every proxy already runs its built target"
  exit 0
fi
echo "plan: $plan"
step "simulate the plan on an Anvil fork through the Safe's execTransaction"
$bin/upgrader simulate "$plan"
echo
echo "plan:       $plan"
echo "simulation: ${plan%.json}.simulation.json"
