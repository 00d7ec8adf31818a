"""Typed models of the pipeline's own files when read back: plans and simulation reports.

A plan seals itself with its hash, but anyone can recompute a keccak: the seal proves the file
is unedited since someone sealed it, not that upgrader wrote it. So every field that logic
reads is validated here first (the dict is returned unchanged, so its hash is unchanged)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from upgrader.inputs.safe_files import Address, Hash32, HexData, Uint

SlotHex = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{1,64}$")]  # a storage slot, ASCII hex only


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, strict=True)


class PlanSafe(_Loose):
    address: Address
    version: str
    threshold: int = Field(ge=1)
    owners: list[Address]
    multisend_call_only: Optional[Address] = None


class PlanCall(_Loose):
    to: Address
    value: Uint
    operation: Literal[0, 1] = 0
    data: HexData
    description: str


class PlanFrom(_Loose):
    implementation: Address
    contract: str
    code_hash: str


class PlanTo(_Loose):
    implementation: Address
    contract: str
    code_hash: str
    already_deployed: bool = False


class PlanCheck(_Loose):
    ok: bool
    errors: list[Any]
    warnings: list[Any]


class PlanInit(_Loose):
    function: Optional[str]  # present, null when the upgrade calls nothing
    changes: list[str] = []  # existing state the reinitializer may change (absent in older plans)
    skips: list[str] = []  # reinitializers left out on purpose (absent when none)
    unset: list[str] = []  # new variables left at zero on purpose (absent when none)


class PlanSmoke(_Loose):
    function: str
    args: list[Any] = []
    expect: Any = None


class PlanUpgrade(_Loose):
    proxy: str
    address: Address
    from_: PlanFrom = Field(alias="from")
    to: PlanTo
    init: PlanInit
    check: PlanCheck
    declared_changes: list[SlotHex] = []
    # the module's settings that decide the verdicts (absent in older plans): validation kinds
    # the checker allowed, and the smoke calls `simulate` makes
    unsafe_allow: Optional[list[str]] = None
    smoke: Optional[list[PlanSmoke]] = None


class PlanOperation(_Loose):
    """A TimelockController batch operation (``upgrader.governance.operation``)."""

    targets: list[Address]
    values: list[Uint]
    payloads: list[HexData]
    predecessor: Hash32
    salt: Hash32
    id: Hash32


class PlanProposal(_Loose):
    targets: list[Address]
    values: list[Uint]
    calldatas: list[HexData]
    description: str
    description_hash: Hash32
    id: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,78}$")]  # uint256, decimal


class PlanGovernance(_Loose):
    """A plan's legs through a Timelock (and Governor): ``upgrader.governance``."""

    kind: Literal["timelock", "governor"]
    timelock: Address
    governor: Optional[Address] = None
    oz_version: Literal["5", "4"]
    min_delay: int = Field(ge=0)
    delay: int = Field(ge=0)
    batch_hash: Hash32
    calls: list[PlanCall]
    operation: PlanOperation
    proposal: Optional[PlanProposal] = None
    queue: Optional[PlanCall] = None
    execute: PlanCall
    executor: Literal["anyone", "safe", "account"]
    executors: list[Address] = []  # executor "account": the accounts holding EXECUTOR_ROLE at plan time

    @model_validator(mode="after")
    def _executors_named(self) -> "PlanGovernance":
        if self.executor == "account" and not self.executors:
            raise ValueError("executor 'account' names no executors")
        return self


class PlanFile(_Loose):
    schema_: Literal["upgrader/plan@1"] = Field(alias="schema")
    network: str
    chain_id: int = Field(ge=0)
    safe: PlanSafe
    manifest_hash: Hash32
    plan_hash: Hash32
    upgrades: list[PlanUpgrade]
    calls: list[PlanCall]
    governance: Optional[PlanGovernance] = None
    # `plan --unsafe-allow`'s kinds (absent when none): what of each upgrade's unsafe_allow the settings did not say
    unsafe_allow_command_line: list[str] = []


class SimulationCheck(_Loose):
    name: str
    ok: bool
    detail: str = ""


class SimulationFile(_Loose):
    ok: bool
    plan_hash: str
    checks: list[SimulationCheck] = []
    fork_block: Optional[int] = None
