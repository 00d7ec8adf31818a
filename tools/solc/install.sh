#!/usr/bin/env bash
# Provision solc v$1 where py-solc-x looks for it (~/.solcx/solc-v<version>).
# A native solc of that version already there is kept. Otherwise the npm solc-js package
# (with its runtime dependencies) and our front end are copied to
# ~/.solcx/solcjs-v<version>/, so the executable does not depend on any one checkout.
# Nothing is done when that copy is already in place.
set -euo pipefail
version="$1"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${SOLCX_BINARY_PATH:-$HOME/.solcx}"
target="$dir/solc-v$version"
home="$dir/solcjs-v$version"
mkdir -p "$dir"
if [ -x "$target" ] && ! grep -qs "solc-js front end" "$target" \
   && "$target" --version 2>/dev/null | grep -q "Version: $version"; then
  exit 0   # a native solc of the pinned version: prefer it
fi
have="$(node -p "require('$repo/node_modules/solc/package.json').version" 2>/dev/null || true)"
[ "$have" = "$version" ] || { echo "node_modules/solc is '$have', expected $version; run npm install"; exit 2; }
stamp="$home/.installed-$(sha256sum "$repo/tools/solc/solc.js" | cut -c1-16)"
if [ ! -f "$stamp" ] || [ ! -x "$target" ]; then
  tmp="$(mktemp -d "$dir/.solcjs.XXXXXX")"
  mkdir -p "$tmp/node_modules"
  deps="$(node -p "Object.keys(require('$repo/node_modules/solc/package.json').dependencies).join(' ')")"
  for pkg in solc $deps os-tmpdir; do
    [ -d "$repo/node_modules/$pkg" ] && cp -R "$repo/node_modules/$pkg" "$tmp/node_modules/"
  done
  cp "$repo/tools/solc/solc.js" "$tmp/solc.js"
  touch "$tmp/.installed-$(sha256sum "$repo/tools/solc/solc.js" | cut -c1-16)"
  rm -rf "$home"
  mv "$tmp" "$home"
  printf '%s\n' "#!/usr/bin/env bash" \
    "# solc-js front end (upgrader/tools/solc): native-solc-compatible CLI for py-solc-x" \
    "exec node \"$home/solc.js\" \"\$@\"" > "$target.tmp"
  chmod +x "$target.tmp"
  mv "$target.tmp" "$target"
fi
