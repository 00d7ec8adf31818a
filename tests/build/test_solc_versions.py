"""Any solc 0.8.x: the version a project's pragmas allow is chosen as npm semver reads
them (node's `semver` package is the oracle), a version is installed on demand, and a bad
one is refused in one line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.build import solc, versions
from upgrader.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
PARTS = st.tuples(st.just(0), st.sampled_from([7, 8, 9]), st.integers(0, 30))
CLAUSES = st.one_of(
    st.tuples(st.sampled_from(["", "=", "^", "~", ">=", ">", "<=", "<"]), PARTS).map(lambda t: t[0] + ".".join(map(str, t[1]))),
    st.tuples(st.sampled_from(["", "^", ">=", "<"]), st.sampled_from(["0.8", "0.8.x", "0.9"])).map("".join),
)
RANGES = st.lists(st.lists(CLAUSES, min_size=1, max_size=2).map(" ".join), min_size=1, max_size=2).map(" || ".join)


def node_satisfies(pairs: list[tuple[str, str]]) -> list[bool]:
    script = ("const semver=require(process.argv[1]);let s='';process.stdin.on('data',c=>s+=c).on('end',()=>"
              "process.stdout.write(JSON.stringify(JSON.parse(s).map(([v,r])=>semver.satisfies(v,r)))))")
    out = subprocess.run(["node", "-e", script, str(ROOT / "node_modules" / "semver")], input=json.dumps(pairs),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@settings(max_examples=10)
@given(st.lists(st.tuples(PARTS.map(lambda p: ".".join(map(str, p))), RANGES), min_size=50, max_size=100))
def test_pragma_ranges_read_as_npm_semver(pairs: list[tuple[str, str]]) -> None:
    ours = [versions.satisfies(versions.parse(v), r) for v, r in pairs]
    assert ours == node_satisfies(pairs)


def test_highest_installed_version_every_pragma_allows() -> None:
    installed = sorted(solc.installed_versions(), key=versions.parse)
    assert "0.8.28" in installed
    sources = {"a.sol": "pragma solidity ^0.8.20;\ncontract A {}", "b.sol": "pragma solidity >=0.8.0 <0.8.29;", "c.sol": "// none"}
    fits = [v for v in installed if versions.parse("0.8.20") <= versions.parse(v) < versions.parse("0.8.29")]
    assert versions.from_pragmas(sources) == fits[-1]


def test_unusable_versions_are_one_line_input_errors() -> None:
    with pytest.raises(InputError, match="supports solc 0.8.x"):
        solc.solc_path("0.7.6")
    with pytest.raises(InputError, match=r"cannot install solc 0.8.99 from npm"):
        solc.solc_path("0.8.99")
    with pytest.raises(InputError, match="no solc 0.8.x release satisfies"):
        versions.from_pragmas({"a.sol": "pragma solidity ^0.8.20;", "b.sol": "pragma solidity 0.8.19;"})


def test_install_into_an_empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path))
    path = solc.solc_path("0.8.28")  # installed on demand (from node_modules: same version)
    assert path.parent.name.startswith("solcjs-v0.8.28-") and path.is_file()
    assert solc.long_version("0.8.28") == "0.8.28+commit.7893614a"
    made = path.stat().st_mtime_ns
    assert solc.solc_path("0.8.28") == path and path.stat().st_mtime_ns == made  # no second install
    for_py_solc_x = subprocess.run([str(tmp_path / "solc-v0.8.28"), "--version"], capture_output=True, text=True, check=True)
    assert "Version: 0.8.28+commit.7893614a.Linux.g++" in for_py_solc_x.stdout
    assert solc.installed_versions() == ["0.8.28"]
