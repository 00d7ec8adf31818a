#!/usr/bin/env bash
# The steps of the `upgrader check` GitHub action (action.yml at the repository root), one
# subcommand each, so they run the same on a runner and in tests/checker/test_action.py:
#
#   run.sh prepare   check the inputs; cache folders and keys        -> $GITHUB_OUTPUT
#   run.sh install   the lean package (no `chain` extra) from uv.lock -> $GITHUB_OUTPUT upgrader=
#   run.sh check     upgrader check in the chosen format; counts     -> $GITHUB_OUTPUT, summary
#                    in $GITHUB_STEP_SUMMARY; the exit code the fail level asks for
#
# Inputs come as INPUT_* environment variables (action.yml maps them; never interpolated into
# the script): INPUT_BUILD_INFO, INPUT_EXCLUDE (globs, one a line), INPUT_FORMAT
# (github|sarif|markdown|text), INPUT_FAIL_LEVEL (error|warning|none).
# Exit codes: 0 pass, 1 unsafe (at the fail level), 2 a wrong input (always), as upgrader's.
set -euo pipefail

ACTION_PATH="${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TEMP="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
BUILD_INFO="${INPUT_BUILD_INFO:-out/build-info}"
FORMAT="${INPUT_FORMAT:-github}"
FAIL_LEVEL="${INPUT_FAIL_LEVEL:-error}"

output() { # name=value lines for later steps (GitHub's file command; printed when run by hand)
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then printf '%s\n' "$@" >>"$GITHUB_OUTPUT"; else printf '%s\n' "$@"; fi
}

refuse() { # a wrong input: one annotation and one line, exit 2
    echo "::error title=upgrader check::$1"
    echo "error: $1" >&2
    exit 2
}

digest() { # sha256 of the named files' bytes, in the order given
    cat "$@" | sha256sum | cut -c1-16
}

prepare() {
    case "$FORMAT" in github | sarif | markdown | text) ;; *) refuse "format must be github, sarif, markdown or text (not '$FORMAT')" ;; esac
    case "$FAIL_LEVEL" in error | warning | none) ;; *) refuse "fail-level must be error, warning or none (not '$FAIL_LEVEL')" ;; esac
    [[ -d "$BUILD_INFO" ]] || refuse "build-info: $BUILD_INFO is not a folder; build first (forge build: out/build-info, hardhat compile: artifacts/build-info)"
    local files=()
    mapfile -t files < <(find "$BUILD_INFO" -maxdepth 1 -name '*.json' -type f | LC_ALL=C sort)
    ((${#files[@]})) || refuse "build-info: $BUILD_INFO holds no build-info JSON file; build first"
    local os="${RUNNER_OS:-$(uname -s)}"
    # uv's cache holds the lock's wheels; the facts cache the checker's extracted layouts and
    # validation facts, keyed inside by each file's content (an older entry restored is reused
    # for the files that did not change, so restore-keys falls back to the latest one)
    output "uv-cache=${UV_CACHE_DIR:-$TEMP/upgrader-uv-cache}" \
        "uv-key=upgrader-uv-$os-$(digest "$ACTION_PATH/uv.lock" "$ACTION_PATH/pyproject.toml")" \
        "facts-cache=$TEMP/upgrader-check-cache" \
        "facts-key=upgrader-facts-$os-$(digest "${files[@]}")" \
        "facts-restore-key=upgrader-facts-$os-"
}

install() {
    command -v uv >/dev/null || refuse "uv is not on PATH (the action installs it with astral-sh/setup-uv)"
    local venv="$TEMP/upgrader-venv"
    # the lock's versions of the core dependencies and this checkout, not editable: no chain
    # stack, no dev group (what tests/checker/test_lean_install.py holds to)
    UV_PROJECT_ENVIRONMENT="$venv" uv sync --project "$ACTION_PATH" --frozen --no-dev --no-editable \
        --compile-bytecode --quiet
    "$venv/bin/upgrader" --help >/dev/null
    output "upgrader=$venv/bin/upgrader"
}

check() {
    local upgrader="${UPGRADER:-upgrader}" args=(--build-info "$BUILD_INFO") glob
    while IFS= read -r glob; do
        glob="${glob#"${glob%%[![:space:]]*}"}" && glob="${glob%"${glob##*[![:space:]]}"}"
        [[ -n "$glob" ]] && args+=(--exclude "$glob")
    done <<<"${INPUT_EXCLUDE:-}"
    local json="$TEMP/upgrader-check.json" code=0
    "$upgrader" check "${args[@]}" --json >"$json" 2>"$TEMP/upgrader-check.err" || code=$?
    if ((code != 0 && code != 1)); then
        local line
        line="$(tail -n 1 "$TEMP/upgrader-check.err")"
        refuse "${line#error: }"
    fi
    local counts
    counts="$("$(dirname "$(command -v "$upgrader")")/python" - "$json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
contracts = report["contracts"]
errors = len(report["errors"]) + sum(len(c["errors"]) for c in contracts)
warnings = sum(len(c["warnings"]) for c in contracts)
print(len(contracts), sum(not c["ok"] for c in contracts), errors, warnings)
PY
)"
    local contracts failed errors warnings
    read -r contracts failed errors warnings <<<"$counts"

    local report="$TEMP/upgrader-check.${FORMAT/markdown/md}"
    case "$FORMAT" in
        sarif) "$upgrader" check "${args[@]}" --format sarif >"$report" || true
            echo "upgrader check: $contracts upgradeable contracts checked, $failed failed; SARIF log in $report" ;;
        text) NO_COLOR=1 "$upgrader" check "${args[@]}" >"$report" || true; cat "$report" ;;
        *) "$upgrader" check "${args[@]}" --format "$FORMAT" >"$report" || true; cat "$report" ;;
    esac
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        if [[ "$FORMAT" == markdown ]]; then cat "$report"; else "$upgrader" check "${args[@]}" --format markdown || true; fi >>"$GITHUB_STEP_SUMMARY"
    fi
    output "exit-code=$code" "contracts=$contracts" "failed=$failed" "errors=$errors" "warnings=$warnings" "report=$report"

    case "$FAIL_LEVEL" in
        none) return 0 ;;
        warning) if ((code == 0 && warnings > 0)); then
            echo "upgrader check: $warnings warnings and fail-level is warning" >&2
            return 1
        fi ;;
    esac
    return "$code"
}

case "${1:-}" in
    prepare) prepare ;;
    install) install ;;
    check) check ;;
    *) echo "usage: $0 prepare|install|check" >&2 && exit 2 ;;
esac
