#!/usr/bin/env bash
# The demo pipeline on the local stack. Each step is idempotent; re-running continues.
# Only upgrader and ape run here (no inline code): values are read from `--json` output,
# which is canonical (two-space indent, sorted keys), with sed.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
field() { sed -n "s/^  \"$1\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p"; }  # a top-level string of `--json` output
trap 'echo "demo interrupted: run \`make demo\` again to continue" >&2; exit 130' INT TERM HUP

step "local stack: Anvil chain (state in .anvil/) and Safe Transaction Service"
$bin/upgrader node start
step "deploy V1 behind UUPS proxies, governed by a 2-of-3 Safe"
$bin/ape run deploy
step "status: chain vs manifest vs build (V1 in sync, V2 pending)"
$bin/upgrader status
step "plan the upgrade (layout check, CREATE2 deployments, upgradeToAndCall)"
plan="$($bin/upgrader plan --json | field path)"
if [ -z "$plan" ]; then
  echo "nothing to upgrade: every proxy already runs its built target (\`make reset\` starts over)"
  exit 0
fi
echo "plan: $plan"
step "simulate the plan on an Anvil fork through the Safe's execTransaction"
$bin/upgrader simulate "$plan"
# The Safe's owners are the dev test accounts 1-3 (scripts/deploy.py); --sender takes their index.
step "propose, signed by the owner test account 1"
safe_tx_hash="$($bin/upgrader propose "$plan" --sender 1 --json | field safe_tx_hash)"
echo "proposed $safe_tx_hash"
step "review the batch as a signer would (offline, against the plan)"
$bin/upgrader review "deployments/local/proposals/$safe_tx_hash.json" --plan "$plan"
step "write the validation document each signer keeps (a fork at the head, the block pinned in it)"
$bin/upgrader review "$safe_tx_hash" --plan "$plan" --validation-file
step "confirm by a second owner (test account 2)"
$bin/upgrader confirm "$safe_tx_hash" --sender 2
step "execute through the Safe's execTransaction"
$bin/upgrader execute "$safe_tx_hash"
step "status: every proxy in sync on V2"
$bin/upgrader status
echo
echo "plan:       $plan"
echo "simulation: ${plan%.json}.simulation.json"
echo "proposal:   deployments/local/proposals/$safe_tx_hash.json (+ .review.md, .validation.md)"
echo "the local chain and Safe service keep running (\`upgrader node status\`; \`upgrader node stop\` ends them)"
