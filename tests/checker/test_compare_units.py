"""Rules that Solidity 0.8 cannot express in a fixture, on hand-built layouts."""

from __future__ import annotations

from upgrader.layout.compare import compare_layouts
from upgrader.layout.model import StorageItem, StorageLayout, TypeInfo
from upgrader.layout.report import findings


def single(type_info: TypeInfo, **item: object) -> StorageLayout:
    fields = {"contract": "c.sol:C", "label": "x", "slot": 0, "offset": 0, "size": type_info.size, "type_id": type_info.id}
    fields.update(item)
    return StorageLayout("c.sol:C", (StorageItem(**fields),), {type_info.id: type_info})  # type: ignore[arg-type]


def test_enum_growing_past_256_members_changes_its_size() -> None:
    old = TypeInfo("t_enum(E)1", "enum", "enum C.E", 1, values=tuple(f"V{i}" for i in range(256)))
    new = TypeInfo("t_enum(E)1", "enum", "enum C.E", 2, values=tuple(f"V{i}" for i in range(257)))
    (finding,) = findings(compare_layouts(single(old), single(new)))
    assert finding.kind == "layout-typechange" and "grew from 1 to 2 bytes" in finding.message


def test_retype_annotation_must_name_the_old_type() -> None:
    old = TypeInfo("t_uint256", "elementary", "uint256", 32)
    new = TypeInfo("t_bytes32", "elementary", "bytes32", 32)
    assert findings(compare_layouts(single(old), single(new, retyped_from="uint256"))) == []
    (wrong,) = findings(compare_layouts(single(old), single(new, retyped_from="uint128")))
    assert wrong.kind == "layout-typechange"


def test_recursive_struct_through_a_mapping_terminates() -> None:
    types = {
        "t_struct(N)1_storage": TypeInfo(
            "t_struct(N)1_storage", "struct", "struct C.N", 32,
        ),
    }
    from upgrader.layout.model import Member

    mapping = TypeInfo("t_mapping(t_uint256,t_struct(N)1_storage)", "mapping", "mapping(uint256 => struct C.N)", 32,
                       key="t_uint256", value="t_struct(N)1_storage")
    node = TypeInfo("t_struct(N)1_storage", "struct", "struct C.N", 32, members=(Member("children", mapping.id, 0, 0),))
    types = {node.id: node, mapping.id: mapping, "t_uint256": TypeInfo("t_uint256", "elementary", "uint256", 32)}
    layout = StorageLayout("c.sol:C", (StorageItem("c.sol:C", "root", 0, 0, 32, node.id),), types)
    assert compare_layouts(layout, layout) == []
