"""Our own files refused by the operating system (issue 22, point 2): a full disk (a tiny tmpfs,
filled), a read-only file system (tmpfs remounted ro) and an immutable folder (chattr +i) under
`plan` and `simulate`: exit 2, one line naming the path and the fix, no traceback, no file
changed or half-written. Real file systems, as root (this workplace's developers and CI)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from faults_helpers import assert_fails, planned

pytestmark = pytest.mark.chain


@pytest.fixture(autouse=True)
def as_root() -> None:
    """Developers and CI run the suite as root here; without it these tests would not run at all,
    which must not pass as a skip (leave the file out explicitly to run the rest without root)."""
    if os.geteuid() != 0:
        pytest.fail("tests/faults/test_disk_faults.py mounts tmpfs and runs chattr: run the suite as root, "
                    "or leave the file out with --ignore=tests/faults/test_disk_faults.py", pytrace=False)


@contextmanager
def tmpfs_over(folder: Path, size: str = "2m") -> Iterator[None]:
    """``folder`` on its own small tmpfs, with the files it had."""
    saved = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        for rel, data in saved.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> None:
    """Write a filler file until the disk under ``folder`` is full (to the last byte)."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (65536, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)


def _no_temp_files(cli) -> None:
    assert not [p for p in cli.deployments.rglob("*.tmp")], "a half-written temp file was left"


def test_plan_on_a_full_disk(cli):
    with tmpfs_over(cli.deployments):
        fill(cli.deployments)
        before = cli.files()
        line = assert_fails(cli.run("plan"), 2, "no space left on the device")
        assert str(cli.plans) in line and "free space" in line and "unchanged" in line, line
        assert cli.files() == before
        _no_temp_files(cli)


def test_simulate_on_a_full_disk(cli):
    with tmpfs_over(cli.deployments):
        path, _ = planned(cli)
        fill(cli.deployments)
        before = cli.files()
        line = assert_fails(cli.run("simulate", str(path)), 2, "no space left on the device")
        assert ".simulation.json" in line and "free space" in line, line
        assert cli.files() == before
        _no_temp_files(cli)


def test_plan_on_a_read_only_file_system(cli):
    with tmpfs_over(cli.deployments):
        before = cli.files()
        subprocess.run(["mount", "-o", "remount,ro", str(cli.deployments)], check=True)
        line = assert_fails(cli.run("plan"), 2, "read-only file system")
        assert str(cli.folder) in line and "UPGRADER_DEPLOYMENTS" in line, line
        assert cli.files() == before


def test_plan_in_an_immutable_folder_json(cli):
    before = cli.files()
    subprocess.run(["chattr", "+i", str(cli.folder)], check=True)
    try:
        result = cli.run("plan", "--json")
    finally:
        subprocess.run(["chattr", "-i", str(cli.folder)], check=True)
    assert result.exit_code == 2, result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "input" and "operation not permitted" in error["message"], error
    assert str(cli.folder) in error["message"] and "chattr -i" in error["message"]
    from faults_helpers import one_error_line

    one_error_line(result.stderr)
    assert cli.files() == before


def test_debug_adds_the_traceback_and_keeps_exit_2(cli):
    with tmpfs_over(cli.deployments):
        fill(cli.deployments)
        result = cli.run("--debug", "plan")
    assert result.exit_code == 2, result.stderr
    assert "Traceback" in result.stderr and "ENOSPC" in result.stderr.splitlines()[-1], result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: cannot write ")


@pytest.mark.parametrize("code, words", [(errno.EACCES, "permission denied"), (errno.EDQUOT, "disk quota exceeded")])
def test_permission_and_quota_lines(code, words):
    """The two refusals a root test cannot provoke on a real disk (root passes permission checks;
    no quota is set up here), from the OSError the kernel's errno makes."""
    from upgrader.oserrors import describe

    exc = OSError(code, os.strerror(code), "/srv/deployments/mainnet/plans/.0xab.json.tmp")
    written = describe(exc, Path("/srv/deployments/mainnet/plans/0xab.json"))
    assert written is not None and words in written and "/srv/deployments/mainnet/plans/0xab.json" in written
    assert "unchanged" in written and errno.errorcode[code] in written
    used = describe(exc, written=False)
    assert used is not None and ".0xab.json.tmp" in used and "/srv/deployments/mainnet/plans" in used
    assert describe(OSError(errno.ENOENT, "No such file")) is None
