#!/usr/bin/env bash
# Provision solc v$1 (any 0.8.x) where py-solc-x looks for it (~/.solcx/solc-v<version>).
# A native solc of that version already there is kept. Otherwise the compiler of npm
# `solc@<version>` (its soljson.js: the official Emscripten build) and our front end are
# put in ~/.solcx/solcjs-v<version>-<stamp>/, so the executable depends on no checkout. The package
# comes from this repo's node_modules when it is that version, else from the npm registry
# (`npm pack`, once: every later use is offline). Nothing is done when the copy is in place.
# upgrader runs this on demand for a version a project asks for (upgrader/build/solc.py).
set -euo pipefail
version="${1:?usage: install.sh <solc version, e.g. 0.8.28>}"
[[ "$version" =~ ^0\.8\.[0-9]+$ ]] || { echo "solc $version: only 0.8.x releases are supported" >&2; exit 2; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${SOLCX_BINARY_PATH:-$HOME/.solcx}"
target="$dir/solc-v$version"
mkdir -p "$dir"
if [ -x "$target" ] && ! grep -qs "solc-js front end" "$target" \
   && "$target" --version 2>/dev/null | grep -q "Version: $version"; then
  exit 0   # a native solc of this version: prefer it
fi
# The copy's folder is named by the front end's content, so checkouts with different
# front ends never replace each other's copy; upgrader runs `solcjs-v<version>-<stamp>/solc`.
stamp="$(sha256sum "$repo/tools/solc/solc.js" | cut -c1-16)"
home="$dir/solcjs-v$version-$stamp"
wrapper() {  # <path> : an executable running this copy
  printf '%s\n' "#!/usr/bin/env bash" \
    "# solc-js front end (upgrader/tools/solc): native-solc-compatible CLI for py-solc-x" \
    "exec node \"$home/solc.js\" \"\$@\"" > "$1.tmp$$"
  chmod +x "$1.tmp$$"
  mv "$1.tmp$$" "$1"
}
if [ ! -s "$home/long-version" ] || [ ! -x "$home/solc" ]; then
  exec 9>"$dir/.install-v$version.lock"
  flock 9      # one installer per version at a time; the others find it ready
fi
if [ ! -s "$home/long-version" ] || [ ! -x "$home/solc" ]; then
  tmp="$(mktemp -d "$dir/.solcjs-v$version.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/node_modules/solc"
  have="$(node -p "require('$repo/node_modules/solc/package.json').version" 2>/dev/null || true)"
  if [ "$have" = "$version" ]; then
    cp "$repo/node_modules/solc/package.json" "$repo/node_modules/solc/soljson.js" "$tmp/node_modules/solc/"
  else
    (cd "$tmp" && npm pack --silent "solc@$version" >/dev/null) \
      || { echo "npm pack solc@$version failed (is the npm registry reachable?)" >&2; exit 2; }
    tar -xzf "$tmp"/solc-"$version".tgz -C "$tmp" package/package.json package/soljson.js
    mv "$tmp/package/package.json" "$tmp/package/soljson.js" "$tmp/node_modules/solc/"
    rm -rf "$tmp/package" "$tmp"/solc-*.tgz
  fi
  cp "$repo/tools/solc/solc.js" "$tmp/solc.js"
  node "$tmp/solc.js" --version | sed -n 's/^Version: \(.*\)\.Linux\.g++$/\1/p' > "$tmp/long-version"
  grep -q "^$version+commit\." "$tmp/long-version" \
    || { echo "the solc-js build for $version reports '$(cat "$tmp/long-version")'" >&2; exit 2; }
  chmod 755 "$tmp"
  rm -rf "$home"   # a torn copy (no long-version) from a killed install
  mv "$tmp" "$home"
  trap - EXIT
  wrapper "$home/solc"
fi
# py-solc-x's name for it (ape-solidity, forge in the tests): this copy, unless it already is.
grep -qs "$home/solc.js" "$target" || wrapper "$target"
