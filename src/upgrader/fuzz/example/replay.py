"""Failing examples as files: ``deployments/<network>/fuzz/<hash>.json`` holds the calls (by
contract name and function signature, arguments as JSON), the number of calls before the
upgrade, the fork block and what failed; ``<hash>`` is keccak256 of the canonical JSON of
what is replayed. ``upgrader fuzz --replay FILE`` runs exactly those calls again against the
plan of today's build, so a fixed V2 shows as passing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from upgrader.errors import InputError
from upgrader.fuzz.abi import from_json, to_json
from upgrader.fuzz.target import Target
from upgrader.fuzz.example.trace import Call, Trace
from upgrader.inputs import FileKind, read_json
from upgrader.keccak import keccak
from upgrader.manifest.store import atomic_write, canonical_json

SCHEMA = "upgrader/fuzz-example@1"
KIND = FileKind("fuzz example", 8 * 1024 * 1024, 64, "run `upgrader fuzz` again to write a new one")
Address = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]
Decimal = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,78}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ExampleCall(_Strict):
    contract: str
    function: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_$][A-Za-z0-9_$]*\(.*\)$")]
    args: list[Any]
    sender: Address
    value: Decimal = "0"


class ExampleFile(_Strict):
    schema_: str = Field(alias="schema")
    network: str
    chain_id: int = Field(ge=0)
    fork_block: int = Field(ge=0)
    plan_hash: str
    upgrade_at: int = Field(ge=0)
    calls: list[ExampleCall]
    failure: dict[str, Any] | None = None
    hash: str


def _body(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("network", "chain_id", "fork_block", "upgrade_at", "calls")}


def example_hash(data: dict[str, Any]) -> str:
    return "0x" + keccak(canonical_json(_body(data)).encode()).hex()


def to_file(target: Target, fork_block: int, trace: Trace) -> dict[str, Any]:
    calls = [{"contract": c.contract, "function": c.fn.signature, "args": to_json(list(c.args)), "sender": c.sender,
              "value": str(c.value)} for c in trace.calls]
    upgrade_at = trace.upgrade_at
    data: dict[str, Any] = {"schema": SCHEMA, "network": target.network, "chain_id": target.chain_id,
                            "fork_block": fork_block, "plan_hash": target.plan_hash,
                            "upgrade_at": len(calls) if upgrade_at is None else upgrade_at, "calls": calls}
    if trace.failure is not None:
        data["failure"] = {"kind": trace.failure.kind, "message": trace.failure.message, "step": trace.failure.step}
    return {**data, "hash": example_hash(data)}


def save(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / f"{data['hash']}.json"
    atomic_write(path, canonical_json(data) + "\n")
    return path


def load(path: Path) -> ExampleFile:
    raw = read_json(path, KIND, missing=f"no fuzz example at {path}")
    try:
        example = ExampleFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{path} is not a fuzz example upgrader wrote ({where}: {first['msg']})") from None
    if example.schema_ != SCHEMA:
        raise InputError(f"{path} is not a fuzz example (schema {SCHEMA} expected)")
    if example.hash != example_hash(raw):
        raise InputError(f"{path} does not match its own hash: it was edited; run `upgrader fuzz` again")
    return example


def calls_of(example: ExampleFile, target: Target) -> list[Call]:
    """The example's calls against today's system: each contract by name, each function by
    signature in either version; what no longer exists is bad input, named."""
    out = []
    for i, item in enumerate(example.calls, 1):
        contract = target.contract(item.contract)
        fn = next((f for f in (*contract.after.values(), *contract.before.values()) if f.signature == item.function), None)
        if fn is None:
            raise InputError(f"call {i} of the example: {item.contract} has no function {item.function} in this build")
        try:
            args = tuple(from_json(t, v) for t, v in zip(fn.inputs, item.args, strict=True))
            fn.encode(args)
        except Exception as exc:
            raise InputError(f"call {i} of the example: arguments {item.args} do not fit {item.function}: {exc}") from None
        out.append(Call(contract.name, contract.address, fn, args, item.sender, int(item.value)))
    return out
