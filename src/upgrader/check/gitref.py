"""``git:<rev>:<Contract>`` references: the project as of another revision, compiled in a
temporary worktree.

The project may live in a subfolder of the repository (a monorepo): the same subfolder of the
worktree is compiled. When that revision has no project file (it predates ``ape-config.yaml`` or
``foundry.toml``), its sources are compiled with today's compiler settings and remappings, from
the same source folders as today's contracts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from upgrader.errors import InputError
from upgrader.layout.buildset import BuildSet


def reference_builds(rev: str, root: Path | None = None) -> BuildSet:
    """Compile the project as of git revision ``rev`` in a temporary worktree."""
    import tempfile

    from upgrader.build import project

    root = (root or project.find_root()).resolve()
    prefix = _git(root, "rev-parse", "--show-prefix").strip()
    with tempfile.TemporaryDirectory(prefix="upgrader-ref-") as tmp:
        tree = Path(tmp) / "tree"
        _git(root, "worktree", "add", "--detach", "--quiet", str(tree), rev)
        try:
            old_root = tree / prefix if prefix else tree
            info = _build_info(old_root, root, rev)
        finally:
            _git(root, "worktree", "remove", "--force", str(tree))
    builds = BuildSet.of(info)
    builds.dir_name = f"git:{rev}"
    return builds


def _build_info(old_root: Path, root: Path, rev: str) -> dict[str, Any]:
    from upgrader.build import project
    from upgrader.build.projects import kinds, load_project, sol_files

    if old_root.is_dir() and any(kind.claims(old_root) for kind in kinds()):
        return project.project_build_info(old_root, fallback=root)
    today = load_project(root)
    folders = sorted({entry.split("/", 1)[0] for entry in today.entry_points if "/" in entry})
    entries = [unit for folder in folders for unit in sol_files(old_root, folder)]
    if not entries:
        raise InputError(f"no .sol files under {', '.join(folders) or 'the project folder'} at {rev}; is the revision right?")
    search = [*today.search_paths, root]  # dependencies (node_modules, lib/) are not in git: read today's
    sources = project.collect_sources(old_root, entries, search, today.settings.remappings)
    return project.compile_to_build_info(sources, today.settings, root / ".build" / "upgrader" / "build-info")


def _git(root: Path, *args: str) -> str:
    import subprocess  # only for git references; ~10 ms of start-up otherwise

    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()[-1:] or ["git failed"]
        raise InputError(f"git {args[0]} {args[-1]}: {detail[0]}; is the revision a commit of this repository?")
    return proc.stdout
