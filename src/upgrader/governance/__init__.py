"""Chains of authority as a table (like ``upgrader.proxies``): ``safe`` (the Safe upgrades
directly), ``timelock`` (Safe → OpenZeppelin TimelockController) and ``governor`` (Safe →
OpenZeppelin Governor → TimelockController). ``chain_of(manifest)`` is the only place that
picks one; the stages ask the chain and never branch on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from upgrader.governance.base import GovernanceChain, Progress
from upgrader.governance.governor import GovernorChain
from upgrader.governance.safe import SafeChain
from upgrader.governance.timelock import TimelockChain

if TYPE_CHECKING:
    from upgrader.manifest import Manifest

CHAINS: dict[str, GovernanceChain] = {c.name: c for c in (SafeChain(), TimelockChain(), GovernorChain())}

__all__ = ["CHAINS", "GovernanceChain", "Progress", "authority_of", "chain_of", "plan_chain"]


def chain_of(manifest: "Manifest") -> GovernanceChain:
    return CHAINS[manifest.governance.kind if manifest.governance is not None else "safe"]


def plan_chain(plan: dict[str, Any]) -> GovernanceChain:
    """The chain a plan was made for (its ``governance`` section's kind; none: the Safe)."""
    return CHAINS[(plan.get("governance") or {}).get("kind", "safe")]


def authority_of(manifest: "Manifest") -> str:
    """The address whose calls upgrade the proxies."""
    return chain_of(manifest).authority(manifest)
