"""``git:<rev>:<Contract>`` references: the project as of another revision, compiled in a
temporary worktree."""

from __future__ import annotations

from pathlib import Path

from upgrader.errors import InputError
from upgrader.layout.buildset import BuildSet


def reference_builds(rev: str, root: Path | None = None) -> BuildSet:
    """Compile the project as of git revision ``rev`` in a temporary worktree."""
    import tempfile

    from upgrader.build import project

    root = root or project.find_root()
    with tempfile.TemporaryDirectory(prefix="upgrader-ref-") as tmp:
        tree = Path(tmp) / "tree"
        _git(root, "worktree", "add", "--detach", "--quiet", str(tree), rev)
        try:
            info = project.project_build_info(tree, fallback=root)
        finally:
            _git(root, "worktree", "remove", "--force", str(tree))
    return BuildSet.of(info)


def _git(root: Path, *args: str) -> None:
    import subprocess  # only for git references; ~10 ms of start-up otherwise

    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()[-1:] or ["git failed"]
        raise InputError(f"git {args[0]} {args[-1]}: {detail[0]}; is the revision a commit of this repository?")
