"""Our verdicts against OpenZeppelin's `upgrades-core validate` on the same build-info."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from checker_fixtures import CACHE, ROOT, SETTINGS, fixture_sources
from upgrader.build.project import compile_to_build_info
from upgrader.check.engine import check
from upgrader.layout.buildset import BuildSet

OZ = ROOT / "node_modules" / ".bin" / "openzeppelin-upgrades-core"
# OpenZeppelin aborts the whole run on a duplicate namespace, so that case is compiled out.
NOT_FOR_OZ = {"NsDuplicate"}
# Where we are deliberately more precise than OpenZeppelin (and why).
KNOWN_DIFFERENCES = {
    # OZ only knows namespaced members' slots under Hardhat; from a plain build-info it treats a
    # namespace as append-only, while we compute the slots and see that `x` fits unused bytes.
    "NsPacked": (True, False),
    # our own rule: a value type over another underlying type of the same size (uint128 -> int128)
    # reads the stored bytes as something else; OpenZeppelin compares value types by size only.
    "UdvtSameSize": (False, True),
}
_VERDICT = re.compile(r"^\s*(✔|✘)\s+(\S+:\S+)", re.MULTILINE)


@pytest.fixture(scope="module")
def oz_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSet]:
    sources = {k: v for k, v in fixture_sources().items() if not any(f"/{c}_" in k for c in NOT_FOR_OZ)}
    info = compile_to_build_info(sources, SETTINGS, CACHE)
    folder = tmp_path_factory.mktemp("oz-build-info")
    (folder / "build-info.json").write_text(json.dumps(info))
    return folder, BuildSet.of(info)


def test_same_verdicts_as_openzeppelin(oz_build: tuple[Path, BuildSet]) -> None:
    # the reference tool is part of the toolchain `make test` installs: its absence is a failure
    assert OZ.exists(), "node_modules/.bin/openzeppelin-upgrades-core is absent; run `make install`"
    folder, builds = oz_build
    proc = subprocess.run([str(OZ), "validate", str(folder)], capture_output=True, text=True, timeout=120)
    theirs = {name: mark == "✔" for mark, name in _VERDICT.findall(proc.stdout)}
    assert theirs, proc.stdout + proc.stderr
    report = check(builds)
    ours = {c.contract: c.ok for c in report.contracts}
    references = {c.reference for c in report.contracts if c.reference}
    # we report what OpenZeppelin reports, plus the V1 contracts named as references
    assert set(ours) - set(theirs) <= references and set(theirs) <= set(ours)
    for fqn, verdict in theirs.items():
        case = fqn.rpartition(":")[2].removesuffix("_V2")
        expected_pair = KNOWN_DIFFERENCES.get(case)
        if expected_pair is not None:
            assert (ours[fqn], verdict) == expected_pair, case
        else:
            assert ours[fqn] == verdict, f"{case}: ours={ours[fqn]} openzeppelin={verdict}"
    assert len(theirs) >= 45
    assert (proc.returncode == 0) == report.ok
