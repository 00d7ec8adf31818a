#!/usr/bin/env bash
# One line and exit code 2 when the machine lacks what `make` needs.
py="${PYTHON:-python3}"
command -v "$py" >/dev/null 2>&1 || { echo "missing: Python 3.11+ ($py not found); install Python 3.11 or newer"; exit 2; }
"$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { echo "too old: $("$py" --version 2>&1) found, Python 3.11+ required; install it or set PYTHON=/path/to/python3.11"; exit 2; }
command -v node >/dev/null 2>&1 || { echo "missing: Node.js 20+ (node not found); install Node 20 or newer"; exit 2; }
major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)"
[ "${major:-0}" -ge 20 ] || { echo "too old: node $(node --version) found, Node 20+ required"; exit 2; }
command -v npm >/dev/null 2>&1 || { echo "missing: npm (comes with Node.js 20+)"; exit 2; }
exit 0
