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

step "local Safe Transaction Service on 127.0.0.1:5555 (state in .anvil/tx-service.json)"
if ! $bin/python -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1",5555)))'; then
  $bin/python -m upgrader.safe.service.local_server --rpc http://127.0.0.1:8545 --port 5555 \
    --state .anvil/tx-service.json --manifest deployments/local/manifest.json >>.anvil/tx-service.log 2>&1 &
  service_pid=$!
  trap 'kill $service_pid 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    $bin/python -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1",5555)))' && break
    sleep 0.1
  done
fi
owners=($($bin/python -c 'import json; print(" ".join(sorted(json.load(open("deployments/local/manifest.json"))["safe"]["owners"], key=lambda a: int(a, 16))))'))
step "propose, signed by owner ${owners[0]}"
safe_tx_hash="$($bin/upgrader propose "$plan" --sender "${owners[0]}" --json | $bin/python -c 'import json,sys; print(json.load(sys.stdin)["safe_tx_hash"])')"
echo "proposed $safe_tx_hash"
step "review the batch as a signer would (offline, against the plan)"
$bin/upgrader review "deployments/local/proposals/$safe_tx_hash.json" --plan "$plan"
step "confirm by a second owner (${owners[1]})"
$bin/upgrader confirm "$safe_tx_hash" --sender "${owners[1]}"
step "execute through the Safe's execTransaction"
$bin/upgrader execute "$safe_tx_hash"
step "status: every proxy in sync on V2"
$bin/upgrader status
echo
echo "plan:       $plan"
echo "simulation: ${plan%.json}.simulation.json"
echo "proposal:   deployments/local/proposals/$safe_tx_hash.json (+ .review.md)"
