"""``--exclude`` globs match exactly as minimatch (what OpenZeppelin's validate uses) on
generated patterns and paths: all examples are judged by node in one batch."""

from __future__ import annotations

import json
import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from checker_fixtures import ROOT
from upgrader.layout.globs import DEFAULT_EXCLUDE, matches

SEGMENTS = st.sampled_from(["src", "test", "mocks", "contracts", "A.sol", "B.t.sol", ".hidden", "x", "proxy", "a.b"])
PATHS = st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join)
PATTERN_PARTS = st.sampled_from(
    ["**", "*", "*.sol", "*.t.sol", "src", "test", "mocks", "?.sol", "{src,test}", "[AB].sol", "x", ".hidden", "a.*", "contracts"]
)
PATTERNS = st.lists(PATTERN_PARTS, min_size=1, max_size=4).map("/".join)
MINIMATCH = """
const {minimatch} = require(require.resolve('minimatch', {paths: [require.resolve('@openzeppelin/upgrades-core')]}));
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(cases.map(([path, glob]) => minimatch(path, glob))));
"""


def minimatch(cases: list[tuple[str, str]]) -> list[bool]:
    proc = subprocess.run(["node", "-e", MINIMATCH], input=json.dumps(cases), capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(proc.stdout)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(PATHS, PATTERNS), min_size=20, max_size=60))
def test_globs_match_as_minimatch(cases: list[tuple[str, str]]) -> None:
    theirs = minimatch(cases)
    ours = [matches(path, (glob,)) for path, glob in cases]
    assert ours == theirs, [(c, o, t) for c, o, t in zip(cases, ours, theirs) if o != t]


def test_fixed_cases_and_openzeppelin_default() -> None:
    cases = [
        ("test/Vault.t.sol", "test/**"),
        ("src/mocks/M.sol", "src/mocks/**/*.sol"),
        ("script/Deploy.s.sol", "script/**"),
        ("node_modules/@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol", DEFAULT_EXCLUDE[0]),
        ("src/.hidden/A.sol", "src/**"),
        ("src", "src/**"),
    ]
    assert [matches(path, (glob,)) for path, glob in cases] == minimatch(cases) == [True, True, True, True, False, False]
