"""A Foundry project: ``foundry.toml`` (the ``FOUNDRY_PROFILE`` profile over ``default``),
``remappings.txt`` and the libraries under ``libs``, read the way forge reads them.

The rules (defaults, the EVM version capped by the solc version, remapping order and
auto-detection, "optimizer on when optimizer_runs is set") are forge 1.7's, as
``forge config --json`` and ``forge remappings`` report them; ``tests/build`` holds them to
real forge. Source unit names are forge's: paths from the root after remapping. Only ``src``
is compiled (forge also compiles ``test`` and ``script``, which are not upgrade targets and
do not change the code of ``src`` contracts).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from upgrader.build import solc, versions
from upgrader.build.project import CompilerSettings, collect_sources
from upgrader.build.projects import Project, sol_files, with_fallback
from upgrader.errors import InputError

NAME = "foundry"
DEFAULTS: dict[str, Any] = {
    "src": "src", "libs": ["lib"], "remappings": [], "auto_detect_remappings": True,
    "solc": None, "optimizer": None, "optimizer_runs": 200, "optimizer_details": None,
    "evm_version": "osaka", "via_ir": False, "bytecode_hash": "ipfs", "cbor_metadata": True,
    "use_literal_content": False, "libraries": [],
}
# Forks in order, each with the first solc that supports it (foundry-compilers
# `EvmVersion::normalize_version_solc`; osaka as forge 1.7 reports it).
FORKS = (
    ("homestead", (0, 4, 0)), ("tangerineWhistle", (0, 4, 0)), ("spuriousDragon", (0, 4, 0)),
    ("byzantium", (0, 4, 21)), ("constantinople", (0, 4, 22)), ("petersburg", (0, 5, 5)),
    ("istanbul", (0, 5, 14)), ("berlin", (0, 8, 5)), ("london", (0, 8, 7)), ("paris", (0, 8, 18)),
    ("shanghai", (0, 8, 20)), ("cancun", (0, 8, 24)), ("prague", (0, 8, 27)), ("osaka", (0, 8, 29)),
)


def claims(root: Path) -> bool:
    return (root / "foundry.toml").is_file()


def read_profile(root: Path) -> dict[str, Any]:
    """The selected profile's settings over forge's defaults (keys in snake_case)."""
    import tomllib

    path = root / "foundry.toml"
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    profiles = data.get("profile") or {}
    name = os.environ.get("FOUNDRY_PROFILE") or "default"
    if name != "default" and name not in profiles:
        raise InputError(f"FOUNDRY_PROFILE={name} but {path} has no [profile.{name}]")
    layers = [profiles.get("default") or {}, profiles.get(name) or {} if name != "default" else {}, _environment()]
    merged = dict(DEFAULTS)
    for layer in layers:
        keys = {key.replace("-", "_"): value for key, value in layer.items()}
        if "solc_version" in keys:  # an alias of `solc`
            keys["solc"] = keys.pop("solc_version")
        merged.update(keys)
    if merged["optimizer"] is None:  # forge: setting optimizer_runs (above 0) alone turns the optimizer on
        given = any(key.replace("-", "_") == "optimizer_runs" for layer in layers for key in layer)
        merged["optimizer"] = given and int(merged["optimizer_runs"]) > 0
    return merged


def _environment() -> dict[str, Any]:
    """``FOUNDRY_<KEY>`` variables, which forge puts over every profile (scalar keys only)."""
    out: dict[str, Any] = {}
    for key in (*(k for k, v in DEFAULTS.items() if not isinstance(v, list)), "solc_version"):
        raw = os.environ.get(f"FOUNDRY_{key.upper()}")
        if raw is None or key == "optimizer_details":
            continue
        out[key] = raw.lower() == "true" if raw.lower() in ("true", "false") else int(raw) if raw.isdigit() else raw
    return out


def remappings(root: Path, profile: dict[str, Any]) -> tuple[str, ...]:
    """forge's own answer when forge is installed (``forge remappings``: it also merges the
    remappings that libraries declare and has detection rules for every layout), else
    :func:`remappings_from_files`. ``UPGRADER_FORGE`` names forge, or ``none``."""
    answer = _ask_forge(root)
    return answer if answer is not None else remappings_from_files(root, profile)


def _ask_forge(root: Path) -> tuple[str, ...] | None:
    """``forge remappings`` (~0.1-0.3 s), kept in ``.build/upgrader`` under a key of what it
    reads: the config files, the profile and the library folders' entries."""
    import hashlib
    import json
    import shutil
    import subprocess

    forge = os.environ.get("UPGRADER_FORGE") or shutil.which("forge")
    if forge == "none" or not forge:
        local = root / "node_modules" / ".bin" / "forge"
        if forge == "none" or not local.is_file():
            return None
        forge = str(local)
    key = hashlib.sha256(json.dumps([forge, os.environ.get("FOUNDRY_PROFILE"), _inputs_of_remappings(root)]).encode()).hexdigest()
    cache = root / ".build" / "upgrader" / "forge-remappings.json"
    try:
        kept = json.loads(cache.read_text())
        if kept.get("key") == key:
            return tuple(kept["remappings"])
    except (OSError, ValueError, AttributeError):
        pass
    try:
        proc = subprocess.run([forge, "remappings"], cwd=root, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    answer = tuple(line.strip() for line in proc.stdout.splitlines() if "=" in line)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"key": key, "remappings": answer}))
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only project still works, just without the saved answer
    return answer


def _inputs_of_remappings(root: Path) -> list[Any]:
    """What forge's remappings depend on: config files' text, library folders' entries."""
    seen: list[Any] = []
    for name in ("foundry.toml", "remappings.txt"):
        path = root / name
        seen.append(path.read_text() if path.is_file() else None)
    for lib in read_profile(root)["libs"]:
        folder = root / str(lib)
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            stamps = [(p.name, p.stat().st_mtime_ns) for p in (child, child / "lib", child / "remappings.txt", child / "foundry.toml") if p.exists()]
            seen.append([str(lib), child.name, stamps])
    return seen


def remappings_from_files(root: Path, profile: dict[str, Any]) -> tuple[str, ...]:
    """remappings.txt, then foundry.toml's, then one per library folder not already mapped."""
    given = []
    txt = root / "remappings.txt"
    if txt.is_file():
        given += [line.strip() for line in txt.read_text().splitlines() if line.strip()]
    given += [str(r) for r in profile["remappings"]]
    out: dict[str, str] = {}
    for entry in given:
        if "=" not in entry:
            raise InputError(f"remapping {entry!r} in {root} is not <prefix>=<path>")
        head, _, target = entry.partition("=")
        head, target = _slash(head), _slash(target)
        out.setdefault(head, target)
    if profile["auto_detect_remappings"]:
        named = {head.rpartition(":")[2] for head in out}
        for name, target in sorted(_detected(root, profile["libs"]).items()):
            if name not in named:
                out[name] = target
    return tuple(f"{head}={target}" for head, target in out.items())


def _slash(text: str) -> str:
    return text if text.endswith("/") or not text else text + "/"


def _detected(root: Path, libs: list[str]) -> dict[str, str]:
    """forge's auto-detected remappings, for the common layouts (foundry-compilers
    ``Remapping::find_many``): in a library folder, ``<name>/`` points at the package's
    ``src/`` if it holds Solidity, else at the one folder on a single path down to the
    Solidity files, else at the package; the libraries in a package's ``lib/`` are found the
    same way. In ``node_modules`` a package (or an ``@scope``) maps to itself."""
    found: dict[str, str] = {}

    def rel(path: Path) -> str:
        return _slash(os.path.relpath(path, root).replace(os.sep, "/"))

    def add(name: str, path: Path) -> None:
        old = found.get(name)  # prefer the shorter path, then one ending in src (find_many)
        if old is None or old.count("/") > rel(path).count("/") or (path.name == "src" and not old.endswith("/src/")):
            found[name] = rel(path)

    def visit(folder: Path, in_node_modules: bool) -> None:
        if not folder.is_dir():
            return
        for package in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if in_node_modules:
                if _has_solidity(package):
                    add(f"{package.name}/", package)
                continue
            if _has_solidity(package / "src"):
                add(f"{package.name}/", package / "src")
            elif (target := _single_path(package)) is not None:
                add(f"{package.name}/", target)
            visit(package / "lib", False)

    for lib in libs:
        visit(root / lib, Path(lib).name == "node_modules")
    return found


_SKIPPED = ("test", "tests", "demo", "lib", "node_modules")


def _sol_children(folder: Path) -> tuple[bool, list[Path]]:
    """(folder holds .sol files itself, its subfolders that hold some below them)."""
    direct = any(p.suffix == ".sol" and p.is_file() for p in folder.iterdir())
    subs = [p for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith(".") and p.name not in _SKIPPED and _has_solidity(p)]
    return direct, subs


def _single_path(package: Path) -> Path | None:
    """The package, or where its single path down to Solidity files meets a ``src`` /
    ``contracts`` folder or branches."""
    if not package.is_dir():
        return None
    here = package
    while True:
        direct, subs = _sol_children(here)
        if direct or len(subs) > 1 or (here != package and here.name in ("src", "contracts")):
            return here
        if not subs:
            return None
        here = subs[0]


def _has_solidity(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in ("test", "tests", "demo")]
        if any(f.endswith(".sol") for f in filenames):
            return True
    return False


def evm_version(wanted: str, version: str) -> str:
    """The fork, capped at the newest one this solc supports (as forge does)."""
    have = versions.parse(version)
    names = [name for name, _ in FORKS]
    if wanted not in names:
        raise InputError(f"foundry.toml: unknown evm_version {wanted!r} (known: {', '.join(names)})")
    supported = [name for name, since in FORKS[: names.index(wanted) + 1] if have >= since]
    return supported[-1] if supported else wanted


def settings_for(profile: dict[str, Any], version: str, compiler: str | None, mapped: tuple[str, ...]) -> CompilerSettings:
    libraries: dict[str, dict[str, str]] = {}
    for entry in profile["libraries"]:  # "<file>:<Lib>:<address>"
        file, lib, address = str(entry).rsplit(":", 2)
        libraries.setdefault(file, {})[lib] = address
    return CompilerSettings(
        version=version,
        optimize=bool(profile["optimizer"]),
        runs=int(profile["optimizer_runs"]),
        evm_version=evm_version(str(profile["evm_version"]), version),
        via_ir=bool(profile["via_ir"]),
        remappings=mapped,
        metadata={"useLiteralContent": bool(profile["use_literal_content"]), "bytecodeHash": str(profile["bytecode_hash"]),
                  "appendCBOR": bool(profile["cbor_metadata"])},
        optimizer_details=profile["optimizer_details"],
        libraries=libraries,
        compiler=compiler,
    )


def load(root: Path, fallback: Path | None = None) -> Project:
    profile = read_profile(root)
    entries = sol_files(root, str(profile["src"]))
    if not entries:
        raise InputError(f"no .sol files under {root / str(profile['src'])} (foundry.toml src)")
    mapped = remappings(root, profile)
    # Units are named from the root (as remapped); solc also finds bare names in the libraries.
    search = (*((fallback,) if fallback else ()), *with_fallback([root / lib for lib in profile["libs"]], root, fallback))
    sources = collect_sources(root, entries, list(search), mapped)
    version, compiler = _compiler(str(profile["solc"]) if profile["solc"] else None, sources, _forge_version(root, profile, sources))
    return Project(root, NAME, settings_for(profile, version, compiler, mapped), tuple(entries), sources, search)


def _compiler(solc_setting: str | None, sources: dict[str, str], forge_version: str | None = None) -> tuple[str, str | None]:
    """(version, explicit compiler path): foundry's ``solc`` is a version or a path; unpinned,
    the version forge last built these sources with, else the pragmas' highest."""
    if solc_setting is None:
        return forge_version or versions.from_pragmas(sources), None
    if "/" in solc_setting or os.sep in solc_setting:
        path = str(solc.solc_path("", solc_setting))
        return solc.long_version("", path).split("+")[0], path
    return solc_setting.removeprefix("v"), None


def _forge_version(root: Path, profile: dict[str, Any], sources: dict[str, str]) -> str | None:
    """The solc forge last compiled the project with, from its cache
    (``<cache_path>/solidity-files-cache.json``: ``files.*.artifacts.<Contract>.<version>``),
    if one it used satisfies every pragma (the highest such). Forge picks an unpinned project's
    solc among its own installs (svm); the highest installed here can be another, and its
    bytecode then differs from the deployed one."""
    import json
    import re

    if profile.get("cache") is False:
        return None
    path = root / str(profile.get("cache_path") or "cache") / "solidity-files-cache.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    used: set[str] = set()
    for entry in files.values() if isinstance(files, dict) else ():
        artifacts = entry.get("artifacts") if isinstance(entry, dict) else None
        for per_version in artifacts.values() if isinstance(artifacts, dict) else ():
            if isinstance(per_version, dict):
                used.update(v for v in per_version if isinstance(v, str) and re.fullmatch(r"0\.8\.\d+", v))
    constraints = versions.pragmas(sources).values()
    fits = [v for v in used if all(versions.satisfies(versions.parse(v), c) for c in constraints)]
    return max(fits, key=versions.parse) if fits else None
