#!/usr/bin/env bash
# Provision solc v$1 (any 0.8.x) where py-solc-x looks for it (~/.solcx/solc-v<version>).
# A native solc of that version already there is kept. Otherwise the compiler of npm
# `solc@<version>` (its soljson.js: the official Emscripten build) and our front end are
# put in ~/.solcx/solcjs-v<version>/, so the executable depends on no checkout. The package
# comes from this repo's node_modules when it is that version, else from the npm registry
# (`npm pack`, once: every later use is offline). Nothing is done when the copy is in place.
# upgrader runs this on demand for a version a project asks for (upgrader/build/solc.py).
set -euo pipefail
version="${1:?usage: install.sh <solc version, e.g. 0.8.28>}"
[[ "$version" =~ ^0\.8\.[0-9]+$ ]] || { echo "solc $version: only 0.8.x releases are supported" >&2; exit 2; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${SOLCX_BINARY_PATH:-$HOME/.solcx}"
target="$dir/solc-v$version"
home="$dir/solcjs-v$version"
mkdir -p "$dir"
if [ -x "$target" ] && ! grep -qs "solc-js front end" "$target" \
   && "$target" --version 2>/dev/null | grep -q "Version: $version"; then
  exit 0   # a native solc of this version: prefer it
fi
stamp=".installed-$(sha256sum "$repo/tools/solc/solc.js" | cut -c1-16)"
ready() { [ -f "$home/$stamp" ] && [ -s "$home/long-version" ] && [ -x "$target" ]; }
ready && exit 0
exec 9>"$dir/.install-v$version.lock"
flock 9      # one installer per version at a time; the others find it ready
ready && exit 0

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
grep -q "^$version+commit\." "$tmp/long-version" || { echo "the solc-js build for $version reports '$(cat "$tmp/long-version")'" >&2; exit 2; }
touch "$tmp/$stamp"
# Swap in the new copy: the versioned folder is reached through a symlink replaced in one
# rename, so a compile starting meanwhile sees the old or the new copy, never neither.
final="$home.${tmp##*.}"
chmod 755 "$tmp"
mv "$tmp" "$final"
trap - EXIT
old="$(readlink "$home" 2>/dev/null || true)"
[ -L "$home" ] || rm -rf "$home"   # an older layout: a plain folder
ln -sfn "$(basename "$final")" "$home.link"
mv -T "$home.link" "$home"
[ -n "$old" ] && [ "$old" != "$(basename "$final")" ] && rm -rf "${dir:?}/$old"
printf '%s\n' "#!/usr/bin/env bash" \
  "# solc-js front end (upgrader/tools/solc): native-solc-compatible CLI for py-solc-x" \
  "exec node \"$home/solc.js\" \"\$@\"" > "$target.tmp"
chmod +x "$target.tmp"
mv "$target.tmp" "$target"
