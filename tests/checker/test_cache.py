"""The facts behind `upgrader check --build-info`: read by type, extracted in worker processes,
kept in the content-addressed cache (issue 19). Whatever path the facts take, the report is the
one the AST gives in this process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from checker_fixtures import CACHE, CASES, ROOT, SETTINGS, fixture_sources
from upgrader.build.project import compile_to_build_info
from upgrader.check.cache import FactsCache
from upgrader.check.engine import check
from upgrader.check.load import load_folder
from upgrader.layout.buildset import BuildSet
from upgrader.solc_ast.buildinfo import read_build_info

UPGRADER = ROOT / ".venv" / "bin" / "upgrader"


def report_of(builds: Any) -> dict[str, Any]:
    return check(builds).to_json()


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*/*.json"))


@pytest.fixture(scope="module")
def split_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The fixture pairs compiled into three build-info files (each pair whole in one file)."""
    sources = fixture_sources()
    groups: list[dict[str, str]] = [{}, {}, {}]
    for k, case in enumerate(CASES):
        for unit, text in sources.items():
            if Path(unit).name.split("_")[0] == case:
                groups[k % 3][unit] = text
    folder = tmp_path_factory.mktemp("split") / "build-info"
    folder.mkdir()
    infos = []
    for k, group in enumerate(groups):
        info = compile_to_build_info(group, SETTINGS, CACHE)
        (folder / f"{k}-{info['id']}.json").write_text(json.dumps(info))
        infos.append(info)
    return folder, infos


def test_typed_reading_gives_the_report_of_the_whole_build_info(fixtures_build_dir: Path, fixtures_build_info: dict) -> None:
    (path,) = fixtures_build_dir.glob("*.json")
    slim = read_build_info(path)
    compiled = [c for per_unit in slim["output"]["contracts"].values() for c in per_unit.values()]
    assert compiled and all(set(c) <= {"storageLayout", "evm"} and set(c.get("evm", {})) <= {"bytecode"} for c in compiled)
    assert all(set(c["evm"]["bytecode"]) == {"linkReferences"} for c in compiled)  # no bytecode object, metadata or ABI
    assert report_of(BuildSet.of(slim)) == report_of(BuildSet.of(fixtures_build_info))


def test_a_folder_extracted_in_workers_gives_the_in_process_report(split_folder: tuple[Path, list], tmp_path: Path) -> None:
    folder, infos = split_folder
    expected = report_of(BuildSet.of(*infos))
    cache = FactsCache(tmp_path / "cache")
    assert report_of(load_folder(folder, cache)) == expected  # three files, extracted by workers
    assert len(entries(tmp_path / "cache")) == 3
    assert report_of(load_folder(folder, cache)) == expected  # every file from the cache
    assert report_of(load_folder(folder, FactsCache(None))) == expected  # no cache at all


def test_a_warm_run_reads_the_cache_and_not_the_build(fixtures_build_dir: Path, tmp_path: Path) -> None:
    """Shown by editing the cached facts: the next run reports what the entry says."""
    cache = FactsCache(tmp_path / "cache")
    fresh = report_of(load_folder(fixtures_build_dir, cache))
    (entry,) = entries(tmp_path / "cache")
    data = json.loads(entry.read_text())
    target = "tests/checker/fixtures/GapShrink_V2.sol:GapShrink_V2"
    data["facts"]["contracts"][target]["findings"] = [["constructor", "planted", "hint", "x.sol:1", "error"]]
    entry.write_text(json.dumps(data))
    planted = {c["contract"]: c for c in report_of(load_folder(fixtures_build_dir, cache))["contracts"]}
    assert planted[target]["errors"][0]["message"] == "planted"
    assert fresh != report_of(load_folder(fixtures_build_dir, cache))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other-key", "wrong-schema", "empty"])
def test_a_corrupt_entry_is_ignored_and_written_again(fixtures_build_dir: Path, tmp_path: Path, damage: str) -> None:
    cache = FactsCache(tmp_path / "cache")
    expected = report_of(load_folder(fixtures_build_dir, cache))
    (entry,) = entries(tmp_path / "cache")
    good = entry.read_text()
    data = json.loads(good)
    damaged = {
        "truncate": good[: len(good) // 2],
        "garbage": "\x00\xff not json",
        "other-key": json.dumps({**data, "key": "0" * 64}),
        "wrong-schema": json.dumps({**data, "facts": {**data["facts"], "schema": "upgrader.check-facts/0"}}),
        "empty": "",
    }[damage]
    entry.write_text(damaged)
    assert report_of(load_folder(fixtures_build_dir, cache)) == expected
    assert json.loads(entry.read_text()) == data  # rebuilt


def test_the_cache_key_follows_the_bytes(fixtures_build_dir: Path, tmp_path: Path) -> None:
    (path,) = fixtures_build_dir.glob("*.json")
    moved = tmp_path / "elsewhere" / "build-info"
    moved.mkdir(parents=True)
    (moved / "renamed.json").write_bytes(path.read_bytes())
    cache = FactsCache(tmp_path / "cache")
    load_folder(fixtures_build_dir, cache)
    load_folder(moved, cache)  # same bytes under another name and folder: the same entry
    assert len(entries(tmp_path / "cache")) == 1
    (moved / "renamed.json").write_bytes(path.read_bytes() + b"\n")  # one byte more: another entry
    load_folder(moved, cache)
    assert len(entries(tmp_path / "cache")) == 2


def test_concurrent_runs_share_one_cache(split_folder: tuple[Path, list], tmp_path: Path) -> None:
    """Eight processes at once on an empty cache: the same report from each, whole entries only."""
    folder, _ = split_folder
    env = {**os.environ, "UPGRADER_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [str(UPGRADER), "check", "--build-info", str(folder), "--json"]
    with ThreadPoolExecutor(8) as pool:
        outputs = list(pool.map(lambda _: subprocess.run(cmd, env=env, capture_output=True, text=True), range(8)))
    assert {p.returncode for p in outputs} == {1}, outputs[0].stderr
    assert len({p.stdout for p in outputs}) == 1
    assert len(entries(tmp_path / "cache")) == 3
    assert not list((tmp_path / "cache").glob("*/.*.tmp"))
    for entry in entries(tmp_path / "cache"):
        json.loads(entry.read_text())


def test_a_cache_folder_that_cannot_be_written_is_not_used(fixtures_build_dir: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    expected = report_of(load_folder(fixtures_build_dir, FactsCache(None)))
    assert report_of(load_folder(fixtures_build_dir, FactsCache(blocked))) == expected


def test_the_layout_of_an_abstract_contract_is_extracted_on_demand_and_cached(tmp_path: Path) -> None:
    source = (
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"
        "abstract contract Base { uint256 a; uint128 b; }\ncontract Box is Base { uint256 c; }\n"
    )
    info = compile_to_build_info({"a/Box.sol": source}, SETTINGS, CACHE)
    folder = tmp_path / "build-info"
    folder.mkdir()
    (folder / "b.json").write_text(json.dumps(info))
    env = {**os.environ, "UPGRADER_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200"}
    show = [str(UPGRADER), "layout", "show", "Base", "--build-info", str(folder), "--json"]
    first = subprocess.run(show, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert [i["label"] for i in json.loads(first.stdout)["storage"]] == ["a", "b"]
    (entry,) = entries(tmp_path / "cache")
    assert "layout" in json.loads(entry.read_text())["facts"]["contracts"]["a/Box.sol:Base"]
    again = subprocess.run(show, env=env, capture_output=True, text=True)
    assert again.stdout == first.stdout


def test_the_cache_location_and_switch(tmp_path: Path) -> None:
    code = "from upgrader.check.cache import FactsCache; print(FactsCache.default().root)"
    def where(**env: str) -> str:
        clean = {k: v for k, v in os.environ.items() if k not in ("UPGRADER_CACHE_DIR", "UPGRADER_NO_CACHE", "XDG_CACHE_HOME")}
        return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True).stdout.strip()

    assert where(UPGRADER_CACHE_DIR=str(tmp_path)) == str(tmp_path)
    assert where(XDG_CACHE_HOME=str(tmp_path)) == str(tmp_path / "upgrader" / "check-cache")
    assert where(HOME=str(tmp_path)) == str(tmp_path / ".cache" / "upgrader" / "check-cache")
    assert where(UPGRADER_NO_CACHE="1", UPGRADER_CACHE_DIR=str(tmp_path)) == "None"


def test_an_entry_whose_layout_does_not_read_back_is_rebuilt(fixtures_build_dir: Path, tmp_path: Path) -> None:
    cache = FactsCache(tmp_path / "cache")
    expected = report_of(load_folder(fixtures_build_dir, cache))
    (entry,) = entries(tmp_path / "cache")
    data = json.loads(entry.read_text())
    for facts in data["facts"]["contracts"].values():
        if "layout" in facts:
            facts["layout"] = {"schema": "upgrader.layout/1"}  # no storage, no types
            facts["findings"] = [["only-two", "fields"]]
    entry.write_text(json.dumps(data))
    assert report_of(load_folder(fixtures_build_dir, cache)) == expected


def test_a_file_rewritten_after_it_was_hashed_is_keyed_by_the_bytes_read(split_folder: tuple[Path, list], tmp_path: Path) -> None:
    """A worker trusts the hash taken before it only while the file is the one hashed; one
    rewritten in between (another build landing mid-run) is cached under its own bytes' key,
    never under the key of the bytes it replaced."""
    from upgrader.check.cache import file_digest
    from upgrader.check.load import _extract_file, _hashed

    folder, infos = split_folder
    path = tmp_path / "build.json"
    path.write_text(json.dumps(infos[0]))
    cache = FactsCache(tmp_path / "cache")
    (hashed,) = _hashed([path], cache)
    path.write_text(json.dumps(infos[1]))  # same path, other build
    key, facts = _extract_file(hashed, cache.root)
    assert key != hashed.key and key == cache.key(file_digest(path.read_bytes()))
    assert cache.get(hashed.key) is None and cache.get(key) == facts
    assert set(facts["units"]) == set(infos[1]["input"]["sources"])
    untouched = tmp_path / "untouched.json"
    untouched.write_text(json.dumps(infos[2]))
    (same,) = _hashed([untouched], cache)
    assert _extract_file(same, cache.root)[0] == same.key  # unchanged: the hash taken before is the key


def test_small_entries_are_read_without_msgspec_and_to_the_same_facts(
    fixtures_build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run over a small build reads its entry with json, not msgspec (whose import is a
    seventh of such a run); large ones with msgspec; both give the same facts and report."""
    import upgrader.check.cache as cache_module

    cache = FactsCache(tmp_path / "cache")
    expected = report_of(load_folder(fixtures_build_dir, cache))
    keys = [entry.stem for entry in entries(tmp_path / "cache")]
    by_json = cache.get_all(keys)
    monkeypatch.setattr(cache_module, "MSGSPEC_FROM", 0)
    assert cache.get_all(keys) == by_json and set(by_json) == set(keys)
    assert report_of(load_folder(fixtures_build_dir, cache)) == expected
    env = {**os.environ, "UPGRADER_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "upgrader.cli", "check", "--build-info", str(fixtures_build_dir), "--json"],
        env=env, capture_output=True, text=True,
    )
    assert proc.returncode == 1 and json.loads(proc.stdout)["contracts"] == expected["contracts"]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "upgrader.check.cache" in imported and not {name for name in imported if name.startswith("msgspec")}
