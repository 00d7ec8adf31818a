#!/usr/bin/env bash
# Provision solc v$1 where py-solc-x looks for it (~/.solcx/solc-v<version>).
# A native solc of that version already there is kept; otherwise a front end over
# solc-js from this repo's node_modules is written (only when it differs).
set -euo pipefail
version="$1"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${SOLCX_BINARY_PATH:-$HOME/.solcx}"
target="$dir/solc-v$version"
mkdir -p "$dir"
if [ -x "$target" ] && ! grep -qs "solc-js front end" "$target" \
   && "$target" --version 2>/dev/null | grep -q "Version: $version"; then
  exit 0   # a native solc of the pinned version: prefer it
fi
want="#!/usr/bin/env bash
# solc-js front end (upgrader/tools/solc): native-solc-compatible CLI for py-solc-x
exec node \"$repo/tools/solc/solc.js\" \"\$@\""
if [ "$(cat "$target" 2>/dev/null)" != "$want" ]; then
  printf '%s\n' "$want" > "$target.tmp"
  chmod +x "$target.tmp"
  mv "$target.tmp" "$target"
fi
