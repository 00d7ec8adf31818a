"""Extraction: solc layouts, our own packing of namespaces, ERC-7201 roots, JSON round trips."""

from __future__ import annotations

import json

from upgrader.check.engine import compare_with_stored
from upgrader.layout.asttypes import TypeResolver
from upgrader.layout.buildset import BuildSet
from upgrader.layout.model import StorageLayout
from upgrader.layout.namespaces import erc7201_root

PACKING = "tests/checker/fixtures/Packing.sol:Packing"


def test_erc7201_root_matches_the_published_openzeppelin_slots() -> None:
    assert erc7201_root("openzeppelin.storage.Initializable") == 0xF0C57E16840DF040F15088DC2F81FE391C3923BEC73E23A9662EFC9C229C6A00
    assert erc7201_root("openzeppelin.storage.Ownable") == 0x9016D09D72D40FDAE2FD8CEAC6B6234C7706214FD39C1CD1E609A0528C199300


def test_namespace_packing_equals_solc_layout_of_the_same_struct(fixtures_builds: BuildSet) -> None:
    layout = fixtures_builds.layout(PACKING)
    solc_struct = layout.type_of(layout.items[0])
    build = fixtures_builds.owner[PACKING]
    node = next(n for n in build.index.nodes.values() if n.get("canonicalName") == "Packing.Layout")
    ours_table: dict = {}
    ours = ours_table[TypeResolver(build.index, ours_table).definition(node)]
    assert ours.size == solc_struct.size
    assert [(m.label, m.slot, m.offset) for m in ours.members] == [
        (m.label, m.slot, m.offset) for m in solc_struct.members
    ]
    for mine, theirs in zip(ours.members, solc_struct.members):
        assert ours_table[mine.type_id].size == layout.type_of(theirs.type_id).size, mine.label


def test_namespace_items_have_absolute_slots(fixtures_builds: BuildSet) -> None:
    (ns,) = fixtures_builds.layout(PACKING).namespaces
    assert ns.id == "fixtures.Packing"
    assert ns.root == erc7201_root("fixtures.Packing") and ns.root & 0xFF == 0
    assert [(i.label, i.slot - ns.root, i.offset) for i in ns.items[:5]] == [
        ("a", 0, 0), ("b", 0, 1), ("c", 0, 2), ("d", 1, 0), ("e", 2, 0)
    ]


def test_item_details(fixtures_builds: BuildSet) -> None:
    layout = fixtures_builds.layout("tests/checker/fixtures/RenameAnnotated_V2.sol:RenameAnnotated_V2")
    (item,) = layout.items
    assert (item.label, item.slot, item.offset, item.size, item.renamed_from) == ("b", 0, 0, 32, "a")
    assert item.location == "tests/checker/fixtures/RenameAnnotated_V2.sol:7"
    enum = fixtures_builds.layout("tests/checker/fixtures/EnumAppend_V2.sol:EnumAppend_V2")
    assert enum.type_of(enum.items[0]).values == ("A", "B", "C")
    udvt = fixtures_builds.layout("tests/checker/fixtures/UdvtSameSize_V2.sol:UdvtSameSize_V2")
    assert udvt.type_of(udvt.type_of(udvt.items[0]).base or "").label == "int128"


def test_layout_json_round_trip_and_stored_comparison(fixtures_builds: BuildSet, fixtures_build_info: dict) -> None:
    for name in (PACKING, "tests/checker/fixtures/GapShrink_V1.sol:GapShrink_V1"):
        layout = fixtures_builds.layout(name)
        assert StorageLayout.from_json(json.loads(json.dumps(layout.to_json()))) == layout
    stored = fixtures_builds.layout("tests/checker/fixtures/GapShrink_V1.sol:GapShrink_V1").to_json()
    assert compare_with_stored(stored, fixtures_build_info, "GapShrink_V2").ok
    bad = compare_with_stored(stored, fixtures_build_info, "GapNotShrunk_V2")
    assert [f.kind for f in bad.errors] == ["layout-gap-resize"]


def test_layouts_read_back_share_their_types_and_equal_each_layout(fixtures_builds: BuildSet) -> None:
    """Reading a folder's layouts back keeps one TypeInfo per type id and data (the 3,200-contract
    row repeats ~300 types 38,000 times), one Namespace per id and data; each layout still equals the one extracted, and a type
    whose data differs under the same id (another build's struct) is read as its own."""
    import copy

    names = sorted(fqn for fqn in fixtures_builds.owner if fqn.endswith("_V1") or fqn.endswith("_V2"))
    stored = {name: json.loads(json.dumps(fixtures_builds.layout(name).to_json())) for name in names}
    read = {name: StorageLayout.from_json(data) for name, data in stored.items()}
    assert all(read[name] == fixtures_builds.layout(name) for name in names)
    first, second = [read[name] for name in names if "t_uint256" in stored[name]["types"]][:2]
    assert first.types["t_uint256"] is second.types["t_uint256"]  # shared
    spaced = next(name for name in names if read[name].namespaces)  # read again from equal data
    once, again = (StorageLayout.from_json(copy.deepcopy(stored[spaced])) for _ in range(2))
    assert once.namespaces[0] is again.namespaces[0] and once == read[spaced]
    data = copy.deepcopy(stored[names[0]])
    type_id = next(iter(data["types"]))
    data["types"][type_id]["label"] += " (another build)"
    other = StorageLayout.from_json(data)
    assert other.types[type_id].label.endswith("(another build)")
    assert StorageLayout.from_json(stored[names[0]]).types[type_id].label == fixtures_builds.layout(names[0]).types[type_id].label
