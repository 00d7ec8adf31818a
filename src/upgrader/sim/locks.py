"""Is an implementation locked? No initializer of it can be called by a stranger on the
implementation itself: each one is called (``eth_call`` from an address nobody controls) on
the fork, whatever the flavour — OpenZeppelin 4's ``_initialized``, OpenZeppelin 5's
ERC-7201 namespace, or a contract's own guard. An implementation with no initializer has
nothing to lock and passes.

Initializers are the public/external functions carrying OpenZeppelin's ``initializer`` or
``reinitializer(n)`` modifier anywhere in the linearization (the build's AST), and any other
ABI function named ``initialize…`` or ``init``. A revert with Initializable's own error
(``InvalidInitialization()`` in 5.x, ``Initializable: contract is already initialized`` in
4.x: openzeppelin-contracts-upgradeable, contracts/proxy/utils/Initializable.sol) is the lock
at work; a revert for another reason (our made-up arguments failing a check) counts only when
the Initializable version stored on the implementation is at its maximum, for an OpenZeppelin
flavour; a contract without Initializable has only its own guard to show.

An open implementation is judged by the checker's rule (``judged``): a UUPS implementation must
be locked (`missing-disable-initializers`) unless the team allowed that kind; one with no upgrade
function to take over (Transparent, Beacon) is accepted unless its module allows `selfdestruct`
or `delegatecall`, the two ways an owner of a bare implementation harms its proxies (Parity 2017).
Accepted probes say so in their detail (``accepted``), and review shows them in yellow."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address

from upgrader.safe.abi_values import canonical_type, selector
from upgrader.sim.runner import call_as
from upgrader.stages.initializable import version_location

STRANGER = to_checksum_address("0x" + "5e" * 20)  # no key is known for it; not a dev account
INVALID_INITIALIZATION = bytes.fromhex("f92ee8a9")  # InvalidInitialization() (OpenZeppelin 5.x)
OZ4_MESSAGE = "Initializable: contract is already initialized"
MODIFIERS = ("initializer", "reinitializer")


@dataclass(frozen=True)
class LockProbe:
    ok: bool
    detail: str
    flavour: str  # "openzeppelin-5" | "openzeppelin-4" | "none"
    calls: tuple[tuple[str, str], ...] = ()  # (signature, outcome)
    accepted: str | None = None  # open, but the checker's rule does not hold it to a lock: why


HARMFUL_WHEN_OPEN = frozenset({"selfdestruct", "delegatecall"})


def judged(probe: LockProbe, build_info: dict[str, Any], fqn: str, allowed: frozenset[str]) -> LockProbe:
    """``probe`` as the checker's rule judges it; ``allowed``: the kinds the plan (or, with no
    plan, the module) allows for this upgrade."""
    if probe.ok:
        return probe
    from upgrader.validate.uups import lock_requirement

    need = lock_requirement(build_info, fqn, allowed)
    if need == "allowed":
        why = "missing-disable-initializers is allowed for this module"
    elif need == "not-uups" and not allowed & HARMFUL_WHEN_OPEN:
        why = "not a UUPS implementation: it has no upgrade function to take over, and the checker found no selfdestruct or delegatecall"
    else:
        return probe
    return replace(probe, ok=True, accepted=why, detail=f"accepted ({why}): {probe.detail}")


def signature(entry: dict[str, Any]) -> str:
    return f"{entry['name']}({','.join(canonical_type(i) for i in entry.get('inputs', []))})"


def initializers(build_info: dict[str, Any], fqn: str, abi: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ABI entries of the implementation's initializers (see the module docstring)."""
    from upgrader.solc_ast.index import index_of

    marked: set[str] = set()
    try:
        index = index_of(build_info)
        contract = index.contract(fqn)
        for base in index.linearized(contract):
            for fn in base.get("nodes", []):
                if fn.get("nodeType") != "FunctionDefinition" or fn.get("visibility") not in ("public", "external"):
                    continue
                if any((m.get("modifierName") or {}).get("name") in MODIFIERS for m in fn.get("modifiers", [])):
                    marked.add(str(fn.get("functionSelector") or ""))
    except (KeyError, LookupError):  # no AST for it in this build: names only
        pass
    out = []
    for entry in abi:
        if entry.get("type") != "function" or entry.get("stateMutability") in ("view", "pure"):
            continue
        name = str(entry.get("name", ""))
        if selector(entry).hex() in marked or name.startswith("initialize") or name == "init":
            out.append(entry)
    return out


def flavour(build_info: dict[str, Any], fqn: str) -> str:
    source, _, name = fqn.rpartition(":")
    layout = build_info["output"]["contracts"].get(source, {}).get(name, {}).get("storageLayout") or {}
    if any(item.get("label") == "_initialized" for item in layout.get("storage") or ()):
        return "openzeppelin-4"
    return "openzeppelin-5" if _inherits_initializable(build_info, fqn) else "none"


def _inherits_initializable(build_info: dict[str, Any], fqn: str) -> bool:
    from upgrader.solc_ast.index import index_of

    try:
        index = index_of(build_info)
        return any(base.get("name") == "Initializable" for base in index.linearized(index.contract(fqn)))
    except (KeyError, LookupError):
        return False


def sample(param: dict[str, Any]) -> Any:
    """An ordinary value for an ABI parameter: nonzero addresses and numbers (a zero address
    or amount is what initializers usually refuse first), empty strings and arrays."""
    t = param["type"]
    if t.endswith("]"):
        size = t[t.rindex("[") + 1 : -1]
        inner = {**param, "type": t[: t.rindex("[")]}
        return [sample(inner) for _ in range(int(size))] if size else []
    if t == "tuple":
        return tuple(sample(c) for c in param.get("components", []))
    if t == "address":
        return "0x" + "00" * 19 + "01"
    if t == "bool":
        return False
    if t == "string":
        return ""
    if t == "bytes":
        return b""
    if t.startswith("bytes"):
        return bytes(int(t[5:]))
    return 1


def probe(w3: Any, impl: str, build_info: dict[str, Any], fqn: str, abi: list[dict[str, Any]]) -> LockProbe:
    kind = flavour(build_info, fqn)
    entries = initializers(build_info, fqn, abi)
    if not entries:
        return LockProbe(True, "no initializers: nothing to lock", kind)
    where = version_location(build_info, fqn)
    version = where.read(bytes(w3.eth.get_storage_at(to_checksum_address(impl), where.slot)))
    at_max = kind != "none" and version == where.locked
    calls, open_ = [], []
    for entry in entries:
        sig = signature(entry)
        types = [canonical_type(i) for i in entry.get("inputs", [])]
        data = selector(entry) + abi_encode(types, [sample(i) for i in entry.get("inputs", [])])
        outcome = call_as(w3, STRANGER, impl, data)
        if outcome.ok:
            calls.append((sig, "succeeds"))
            open_.append(f"{sig} succeeds")
        elif outcome.output[:4] == INVALID_INITIALIZATION or OZ4_MESSAGE in (outcome.reason or ""):
            calls.append((sig, "reverts: already initialized"))
        else:
            calls.append((sig, f"reverts: {outcome.reason}"))
            if kind != "none" and not at_max:
                open_.append(f"{sig} reverts only because of our arguments ({outcome.reason}) and the version is {version}")
    if open_:
        return LockProbe(False, "a stranger can initialize the implementation: " + "; ".join(open_), kind, tuple(calls))
    guard = "initializers disabled" if kind != "none" else "initializers revert"
    return LockProbe(True, f"{guard}: " + ", ".join(f"{s} {o}" for s, o in calls), kind, tuple(calls))
