"""Typed models of the Safe files a signer is sent: a Transaction Builder batch file and a
raw Safe transaction (the Transaction Service's JSON plus ``safe`` and ``chainId``).

Built from strictly parsed JSON (``read_json``) before any review logic runs, so the logic
never meets a number where an object belongs: every known field has one type, numbers are
ASCII decimal or 0x-hex within uint256 (``inputs.numbers``), addresses are 20 bytes (EIP-55
checked when mixed-case), ABI descriptions are ABI (``AbiParam``). Unknown fields are kept
(the apps add their own) but never read.

Shapes from the Safe{Wallet} Transaction Builder (safe-react-apps apps/tx-builder,
``BatchFile``/``BatchTransaction``/``ContractMethod`` in src/typings/models.ts) and the Safe
Transaction Service's multisig-transaction JSON.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Callable, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from upgrader.errors import InputError

_HERE = "\x00"


def _checked(parse: Callable[..., Any]) -> Callable[[Any], Any]:
    """A pydantic validator from one of our parse functions (InputError -> ValueError, the
    field name left to pydantic's location)."""

    def run(value: Any) -> Any:
        try:
            return parse(value, _HERE)
        except InputError as exc:
            raise ValueError(str(exc).replace(f"{_HERE}: ", "").replace(_HERE, "value")) from None

    return run


def _uint(value: Any, field: str) -> int:
    from upgrader.inputs.numbers import parse_uint

    return parse_uint(value, field)


def _uint_or_empty(value: Any, field: str) -> int:
    return 0 if value is None or value == "" else _uint(value, field)


def _nonce(value: Any, field: str) -> int | None:
    return None if value is None or value == "" else _uint(value, field)


def _address(value: Any, field: str) -> str:
    from upgrader.safe._values import parse_address

    return parse_address(value, field)


def _hex(value: Any, field: str) -> bytes:
    from upgrader.safe._values import parse_hex_bytes

    return parse_hex_bytes(value, field)


def _operation(value: Any, field: str) -> int:
    from upgrader.safe.tx import parse_operation

    return parse_operation(value)


def _hash(value: Any, field: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]{64}", value):
        raise InputError(f"{field}: expected 0x and 64 hex digits")
    return value.lower()


Uint = Annotated[int, BeforeValidator(_checked(_uint))]
UintOrEmpty = Annotated[int, BeforeValidator(_checked(_uint_or_empty))]
Nonce = Annotated[Optional[int], BeforeValidator(_checked(_nonce))]
Address = Annotated[str, BeforeValidator(_checked(_address))]
HexData = Annotated[bytes, BeforeValidator(_checked(_hex))]
OperationField = Annotated[int, BeforeValidator(_checked(_operation))]
Hash32 = Annotated[str, BeforeValidator(_checked(_hash))]

# Solidity ABI types: elementary, or "tuple", with any array suffixes (at most 8 dimensions).
_ELEMENTARY = (r"(?:address|bool|string|bytes(?:[1-9]|[12][0-9]|3[0-2])?|u?int(?:8|16|24|32|40|48|56|64|72|80|88|96|104"
               r"|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?|function|tuple)")
_ABI_TYPE = re.compile(_ELEMENTARY + r"(?:\[(?:[1-9][0-9]{0,5})?\]){0,8}")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, strict=True)


class AbiParam(_Open):
    name: str = ""
    type: str
    internalType: Optional[str] = None
    components: Optional[list["AbiParam"]] = None

    @field_validator("type")
    @classmethod
    def _abi_type(cls, value: str) -> str:
        if not _ABI_TYPE.fullmatch(value):
            raise ValueError(f"{value[:40]!r} is not a Solidity ABI type")
        return value

    @model_validator(mode="after")
    def _tuple_components(self) -> "AbiParam":
        if self.type.startswith("tuple") and self.components is None:
            raise ValueError("a tuple type needs its components")
        return self

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.internalType is not None:
            out["internalType"] = self.internalType
        if self.components is not None:
            out["components"] = [c.as_dict() for c in self.components]
        return out


class ContractMethod(_Open):
    name: str = Field(min_length=1)
    inputs: list[AbiParam] = []
    payable: Optional[bool] = None

    def as_dict(self) -> dict[str, Any]:
        return {"inputs": [p.as_dict() for p in self.inputs], "name": self.name, "payable": bool(self.payable)}


InputValue = Any  # a string, or JSON items inside arrays/tuples; parsed against the ABI type later


class BatchEntry(_Open):
    to: Address
    value: UintOrEmpty = 0
    data: Optional[HexData] = None  # None or "": encode from contractMethod
    contractMethod: Optional[ContractMethod] = None
    contractInputsValues: Optional[dict[str, InputValue]] = None

    @model_validator(mode="after")
    def _json_arguments(self) -> "BatchEntry":
        """Array and tuple arguments are JSON text inside a string: read strictly here (depth,
        digits, duplicate keys), so a hostile one is refused like a hostile file."""
        from upgrader.inputs.strict_json import parse_json_text

        if self.contractMethod is None or not self.contractInputsValues:
            return self
        for index, param in enumerate(self.contractMethod.inputs):
            value = self.contractInputsValues.get(param.name or str(index))
            if isinstance(value, str) and (param.type.endswith("]") or param.type.startswith("tuple")):
                try:
                    parse_json_text(value, f"argument {param.name or index}")
                except InputError as exc:
                    raise ValueError(str(exc)) from None
        return self


class AcceptedRed(_Open):
    """One signer's acceptance of a batch's red warnings (``--accept-red``), kept in the
    proposal file so later signers see it (upgrader's own field, covered by the checksum)."""

    step: Literal["propose", "confirm", "execute"]
    by: str
    reason: str = Field(min_length=1)
    kinds: list[str]


class BatchMeta(_Open):
    createdFromSafeAddress: Address
    checksum: Optional[str] = None
    nonce: Nonce = None
    name: Optional[str] = None
    description: Optional[str] = None
    planHash: Optional[Hash32] = None  # upgrader's: the plan the batch was made from
    acceptedRed: list[AcceptedRed] = []


class BatchFile(_Open):
    chainId: Uint
    meta: BatchMeta
    transactions: list[BatchEntry] = Field(min_length=1)
    nonce: Nonce = None
    safeTxHash: Optional[Hash32] = None
    version: Optional[str] = None
    createdAt: Optional[int] = None

    @property
    def stated_nonce(self) -> int | None:
        """The nonce the file states: top level, else in meta."""
        return self.nonce if self.nonce is not None else self.meta.nonce


# A raw Safe transaction's fields; the snake_case and pre-1.0 spellings are accepted, but a
# field stated under two names with different values is refused.
SAFE_TX_SPELLINGS: dict[str, tuple[str, ...]] = {
    "safe_tx_gas": ("safeTxGas", "safe_tx_gas"),
    "base_gas": ("baseGas", "base_gas", "dataGas", "data_gas"),
    "gas_price": ("gasPrice", "gas_price"),
    "gas_token": ("gasToken", "gas_token"),
    "refund_receiver": ("refundReceiver", "refund_receiver"),
    "chain_id": ("chainId", "chain_id"),
    "safe_tx_hash": ("safeTxHash", "contractTransactionHash"),
}


class SafeTxFile(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    to: Address
    value: UintOrEmpty = 0
    data: Optional[HexData] = None
    operation: OperationField = 0
    safe_tx_gas: UintOrEmpty = 0
    base_gas: UintOrEmpty = 0
    gas_price: UintOrEmpty = 0
    gas_token: Optional[Address] = None
    refund_receiver: Optional[Address] = None
    nonce: Nonce = None
    safe: Optional[Address] = None
    chain_id: Optional[Uint] = None
    safe_tx_hash: Optional[Hash32] = None

    @model_validator(mode="before")
    @classmethod
    def _one_spelling(cls, obj: Any) -> Any:
        if not isinstance(obj, dict):
            return obj
        out = {k: v for k, v in obj.items() if k in ("to", "value", "data", "operation", "nonce", "safe")}
        for field, names in SAFE_TX_SPELLINGS.items():
            given = [(n, obj[n]) for n in names if n in obj and obj[n] is not None]
            if len({repr(v) for _, v in given}) > 1:
                raise ValueError(f"{' and '.join(n for n, _ in given)} both given, with different values")
            if given:
                out[field] = given[0][1]
        return out


def _where(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


def validated(model: type[BaseModel], obj: Any, source: str, hint: str = "") -> Any:
    """``model`` built from parsed JSON; the first problem as one InputError line."""
    tail = f"; {hint}" if hint else ""
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise InputError(f"{source}: {_where(tuple(first['loc']))}: {msg}{tail}") from None
    except RecursionError:
        raise InputError(f"{source}: nested too deeply{tail}") from None
