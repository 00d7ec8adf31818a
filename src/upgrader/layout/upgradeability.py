"""Which contracts of a build are upgradeable, and what they say they upgrade from.

The rule is OpenZeppelin's ``getUpgradeabilityAssessment`` (upgrades-core
``packages/core/src/cli/validate/upgradeability-assessment.ts``): a contract is upgradeable
when it is annotated ``@custom:oz-upgrades`` or ``@custom:oz-upgrades-from <Ref>``, inherits a
contract named ``Initializable``, or has a public ``upgradeTo(address)`` /
``upgradeToAndCall(address,bytes)`` (UUPS). We also count ``proxiableUUID()`` and a base named
``UUPSUpgradeable`` as UUPS, so a UUPS contract that lost its upgrade function is still checked.
An annotation with the wrong number of arguments is an input error, as there.
"""

from __future__ import annotations

from upgrader.errors import InputError
from upgrader.solc_ast.index import AstIndex
from upgrader.solc_ast.natspec import annotation_args, documentation, has_tag
from upgrader.solc_ast.walk import Node

UPGRADE_SELECTORS = frozenset({"3659cfe6", "4f1ef286"})  # upgradeTo(address), upgradeToAndCall(address,bytes)
PROXIABLE_UUID = "52d1902d"  # proxiableUUID()


def annotation(node: Node, fqn: str) -> tuple[bool, str | None]:
    """``(annotated, reference name)`` from the contract's ``@custom:oz-upgrades[-from]`` tags."""
    doc = documentation(node)
    annotated = has_tag(doc, "oz-upgrades")
    if annotated:
        _args(doc, "oz-upgrades", 0, fqn)
    if has_tag(doc, "oz-upgrades-from"):
        return True, _args(doc, "oz-upgrades-from", 1, fqn)[0]
    return annotated, None


def _args(doc: str, tag: str, expected: int, fqn: str) -> list[str]:
    args = annotation_args(doc, tag)
    if len(args) != expected:
        usage = "@custom:oz-upgrades-from <Contract>" if expected else "@custom:oz-upgrades"
        raise InputError(
            f"invalid number of arguments for @custom:{tag} in {fqn}: found {len(args)}, expected {expected}; write `{usage}`"
        )
    return args


def selectors(index: AstIndex, contract: Node) -> set[str]:
    """Selectors of the public and external functions of the contract and its bases."""
    found: set[str] = set()
    for base in index.linearized(contract):
        key = ("selectors", base["id"])
        own = index.memo.get(key)
        if own is None:
            own = index.memo[key] = frozenset(
                child["functionSelector"]
                for child in base.get("nodes", ())
                if child.get("nodeType") == "FunctionDefinition" and child.get("functionSelector")
            )
        found |= own
    return found


def has_upgrade_function(index: AstIndex, contract: Node) -> bool:
    """OpenZeppelin's ``inferUUPS``: a public ``upgradeTo`` or ``upgradeToAndCall``."""
    return bool(selectors(index, contract) & UPGRADE_SELECTORS)


def looks_upgradeable(index: AstIndex, contract: Node) -> bool:
    """Inherits ``Initializable``, or looks UUPS (annotations are read by ``annotation``)."""
    found = selectors(index, contract)
    if found & UPGRADE_SELECTORS or PROXIABLE_UUID in found:
        return True
    return any(base.get("name") in ("Initializable", "UUPSUpgradeable") for base in index.linearized(contract)[1:])


def is_concrete(contract: Node) -> bool:
    return contract.get("contractKind") == "contract" and not contract.get("abstract")
