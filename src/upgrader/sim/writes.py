"""What a batch wrote to a proxy's storage, each write decoded and judged against what the
upgrade declares.

Every changed word (``diff.prestate_diff``) is named through the layout the proxy had before
the upgrade and the one it has after. A write to state that existed before (a variable of the
old layout, or a slot that held a value) is ``intended`` when its variable is among the
reinitializer's declared ``changes`` and ``undeclared`` otherwise (the failure); the upgrade's
own bookkeeping (ERC-1967 slots, Initializable's version, gap slots the new layout takes over)
is ``upgrade``; a variable only the new layout has is ``new`` (or ``intended`` when declared);
a zero slot nothing names is ``unnamed`` (new state we cannot decode)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from upgrader.layout.model import StorageLayout
from upgrader.sim.slots import FIXED
from upgrader.sim.storage import Field, KeyCandidates, LayoutFields, namespace_prefix

# Initializable's own variables (OpenZeppelin 4.x plain, 5.x in its ERC-7201 namespace): a
# reinitializer moves the version by design.
VERSION_VARIABLES = frozenset({"_initialized", "_initializing", "InitializableStorage._initialized",
                               "InitializableStorage._initializing"})
PROBLEM = "undeclared"


@dataclass(frozen=True)
class StateWrite:
    slot: int
    name: str | None  # `_roles[0x…][0x…]`; None when nothing names the slot
    variable: str | None  # the declared-changes name: `_roles`, `RegistryStorage.categoryCount`
    type: str | None
    before: str
    after: str
    verdict: str  # intended | undeclared | upgrade | new | unnamed

    @property
    def ok(self) -> bool:
        return self.verdict != PROBLEM

    def shown(self) -> str:
        return f"{self.name or 'an unnamed slot'} (slot {self.slot:#x}): {self.before} -> {self.after}"

    def to_json(self) -> dict[str, Any]:
        return {"slot": hex(self.slot), "name": self.name, "variable": self.variable, "type": self.type,
                "before": self.before, "after": self.after, "verdict": self.verdict}


def variables(layout: StorageLayout) -> set[str]:
    """The names ``changes`` may use: top-level variables and ``Namespace.member``."""
    names = {i.label for i in layout.items}
    names |= {f"{namespace_prefix(ns)}.{i.label}" for ns in layout.namespaces for i in ns.items}
    return names


def _changed(fields: list[Field] | None, before: int, after: int) -> list[Field]:
    return [f for f in fields or [] if f.value(before) != f.value(after)]


def _is_gap(f: Field) -> bool:
    return f.variable.rsplit(".", 1)[-1].startswith("__gap")


def classify(changes: dict[int, tuple[int, int]], old: StorageLayout, new: StorageLayout | None, declared: set[str],
             expected: set[int], keys: KeyCandidates) -> list[StateWrite]:
    """One StateWrite per changed field (one per word when no field covers the change)."""
    targets = set(changes)
    old_names = LayoutFields(old, keys, targets=targets).fields
    new_names = LayoutFields(new, keys, targets=targets).fields if new is not None else {}
    out: list[StateWrite] = []
    for slot, (before, after) in sorted(changes.items()):
        if slot in FIXED:
            label, info = FIXED[slot]
            f = Field(label, info, 0, info.size, label)
            out.append(_write(slot, f, before, after, "upgrade"))
            continue
        was = [f for f in _changed(old_names.get(slot), before, after) if not _is_gap(f)]
        now = _changed(new_names.get(slot), before, after)
        if was:
            out += [_write(slot, f, before, after, _verdict_existing(f, declared)) for f in was]
        elif now:  # only the new layout names it: a new variable (in a gap slot it takes over, or appended)
            out += [_write(slot, f, before, after, _verdict_new(f, declared, not before or slot in expected)) for f in now]
        elif slot in expected:
            out.append(StateWrite(slot, None, None, None, f"{before:#066x}", f"{after:#066x}", "upgrade"))
        else:  # nothing names it: new state from zero, or a value that existed
            out.append(StateWrite(slot, None, None, None, f"{before:#066x}", f"{after:#066x}", "unnamed" if not before else PROBLEM))
    return out


def _verdict_existing(f: Field, declared: set[str]) -> str:
    if f.variable in VERSION_VARIABLES:
        return "upgrade"
    return "intended" if f.variable in declared else PROBLEM


def _verdict_new(f: Field, declared: set[str], fresh: bool) -> str:
    if f.variable in VERSION_VARIABLES:
        return "upgrade"
    if f.variable in declared:
        return "intended"
    return "new" if fresh else PROBLEM  # a slot that held a value before the new variable claimed it


def _write(slot: int, f: Field, before: int, after: int, verdict: str) -> StateWrite:
    return StateWrite(slot, f.label, f.variable, f.info.label, f.show(before), f.show(after), verdict)


def summary(writes: list[StateWrite]) -> str:
    """One line: the undeclared writes, else what was written and why it is fine."""
    bad = [w for w in writes if not w.ok]
    if bad:
        names = sorted({w.variable or "an unnamed slot" for w in bad})
        return (f"{len(bad)} slot(s) of the old layout changed that no reinitializer `changes` declares "
                f"({', '.join(names)}): " + "; ".join(w.shown() for w in bad[:5]))
    intended = [w for w in writes if w.verdict == "intended"]
    return f"{len(intended)} write(s) within the declared changes" + (
        ": " + ", ".join(sorted({w.variable or "" for w in intended})) if intended else "")
