"""Plan files: canonical JSON whose hash is its identity, refused when stale or tampered."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Iterator
from typing import Any

from upgrader.keccak import keccak

from upgrader.errors import InputError
from upgrader.inputs import read_json
from upgrader.inputs.pipeline_files import PlanFile
from upgrader.inputs.safe_files import validated
from upgrader.manifest import Manifest, canonical_json, manifest_hash
from upgrader.manifest.store import atomic_write

PLAN_SCHEMA = "upgrader/plan@1"
PLAN_FIELDS = {"network": str, "chain_id": int, "safe": dict, "manifest_hash": str, "upgrades": list, "calls": list}


def plan_hash(plan: dict[str, Any]) -> str:
    body = {k: v for k, v in plan.items() if k != "plan_hash"}
    return "0x" + keccak(canonical_json(body).encode()).hex()


def seal(plan: dict[str, Any]) -> dict[str, Any]:
    return {**plan, "plan_hash": plan_hash(plan)}


def write_plan(plan: dict[str, Any], folder: Path, out: Path | None = None) -> Path:
    path = out or folder / f"{plan['plan_hash']}.json"
    atomic_write(path, canonical_json(plan) + "\n")
    return path


def load_plan(path: Path) -> dict[str, Any]:
    plan = read_json(path, "plan", missing=f"no plan at {path}; run `upgrader plan` first")
    if not isinstance(plan, dict) or plan.get("schema") != PLAN_SCHEMA:
        raise InputError(f"{path} is not an upgrader plan (schema {PLAN_SCHEMA} expected)")
    try:
        sealed = plan_hash(plan)
    except ValueError:  # a float: not the canonical JSON upgrader writes
        raise InputError(f"plan {path} is not canonical JSON (it holds a float): it was edited; re-run `upgrader plan`") from None
    if plan.get("plan_hash") != sealed:
        raise InputError(f"plan {path} does not match its own hash: it was edited or corrupted; re-run `upgrader plan`")
    missing = [k for k, kind in PLAN_FIELDS.items() if not isinstance(plan.get(k), kind) or isinstance(plan.get(k), bool)]
    if missing:
        raise InputError(f"plan {path} lacks {', '.join(missing)}: it was not written by `upgrader plan`; re-run it")
    validated(PlanFile, plan, f"plan {path}", "re-run `upgrader plan`")  # every field the pipeline reads has its type
    return plan


def network_plans(folder: Path, network: str, chain_id: int) -> Iterator[dict[str, Any]]:
    """The readable plans under ``folder`` made for this network and chain, in file-name
    order; simulation reports and files that are not valid plans are passed over."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("0x*.json")):
        if path.name.endswith(".simulation.json"):
            continue
        try:
            plan = load_plan(path)
        except InputError:
            continue
        if plan["network"] == network and plan["chain_id"] == chain_id:
            yield plan


def made_from(plan: dict[str, Any], manifest: Manifest) -> bool:
    """The plan was made from exactly this state of the manifest."""
    return bool(plan["manifest_hash"] == manifest_hash(manifest))


def ensure_fresh(plan: dict[str, Any], manifest: Manifest) -> None:
    """A plan is only valid against the manifest it was made from."""
    if plan["chain_id"] != manifest.chain_id or plan["network"] != manifest.network:
        raise InputError(f"plan is for {plan['network']} (chain {plan['chain_id']}), not {manifest.network}; use its network")
    if not made_from(plan, manifest):
        raise InputError("plan is stale: the manifest changed since it was made; re-run `upgrader plan`")
