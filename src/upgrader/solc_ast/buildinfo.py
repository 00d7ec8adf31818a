"""A build-info file read for the checker: only what it reads, decoded by type.

A build-info is mostly bytecode, source maps, metadata and ABIs, which no rule reads. msgspec
decodes the file against the small schema below: the fields it names are decoded, everything
else is skipped at C speed without building a Python object, and each source's AST is kept
as raw bytes until it is decoded on its own. The result is a dict of the usual build-info
shape holding only ``input.sources[*].content``, ``input.settings``, ``output.sources[*]``
(``id``, ``ast``) and ``output.contracts[*][*]`` (``storageLayout``, ``evm.bytecode``'s
``linkReferences``, and ``object`` only where link references are absent).

Each AST is decoded without its function bodies, which stay text until a rule reads one
(``solc_ast.bodies``), and its text is searched for the call types the opcode rules look for
(``CALL_TYPES``): those it does not hold are listed under ``ABSENT_CALL_TYPES`` in the result,
and no reachability walk is needed for them.

The parse is the input boundary for build-infos (issue 15): nesting too deep for the
decoder, an integer wider than 64 bits or a lone surrogate escape in what is decoded (a body
when it is read), or any malformed JSON, is an ``InputError`` of one line; the depth is
measured only for that message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType

from upgrader.errors import InputError

# the call types (typeIdentifier prefixes) validate.reachability reports; a build whose AST text
# holds none of one, nor an escaped ASCII character that could spell it, calls none
CALL_TYPES = ("t_function_baredelegatecall_", "t_function_selfdestruct_")
ABSENT_CALL_TYPES = "upgrader:absent-call-types"  # key of the result: the CALL_TYPES no AST holds
_ESCAPED_ASCII = re.compile(rb"\\u00[2-7][0-9a-fA-F]")

NOT_A_BUILD_INFO = "is not a build-info (no input/output); point --build-info at the build-info folder"


class _InputSource(Struct):
    content: str | None | UnsetType = UNSET


class _Input(Struct):
    sources: dict[str, _InputSource] | None = None
    settings: dict[str, Any] | None | UnsetType = UNSET


class _OutputSource(Struct):
    id: int | None | UnsetType = UNSET
    ast: Raw | UnsetType = UNSET  # decoded on its own (msgspec has no Raw | None)


class _Bytecode(Struct):
    linkReferences: dict[str, Any] | None | UnsetType = UNSET
    object: Raw | UnsetType = UNSET


class _Evm(Struct):
    bytecode: _Bytecode | None | UnsetType = UNSET


class _Contract(Struct):
    storageLayout: dict[str, Any] | None | UnsetType = UNSET
    evm: _Evm | None | UnsetType = UNSET


class _Output(Struct):
    sources: dict[str, _OutputSource] | None = None
    contracts: dict[str, dict[str, _Contract]] | None = None


class _BuildInfo(Struct):
    id: str | int | None | UnsetType = UNSET
    input: _Input | None | UnsetType = UNSET
    output: _Output | None | UnsetType = UNSET


class _OutputFile(Struct):
    """Hardhat 3 keeps a build's output beside it, in ``<id>.output.json``."""

    output: _Output | None | UnsetType = UNSET


_BUILD_INFO = msgspec.json.Decoder(_BuildInfo)
_OUTPUT_FILE = msgspec.json.Decoder(_OutputFile)
_OUTPUT = msgspec.json.Decoder(_Output)
_ANY = msgspec.json.Decoder()


def read_build_info(path: Path, data: bytes | None = None) -> dict[str, Any]:
    """The checker's view of the build-info at ``path`` (``data``: its bytes, if already read),
    and of ``<path>.output.json`` beside it when the file holds no output, as a plain dict; a
    file that is not one is an input error."""
    from upgrader.inputs import read_regular

    info = _decode(_BUILD_INFO, data if data is not None else read_regular(path, "build-info"), path)
    output = info.output
    if isinstance(info.input, _Input) and output is UNSET:
        beside = path.with_suffix(".output.json")
        if beside.is_file():
            data = read_regular(beside, "build-info")
            wrapped = _decode(_OUTPUT_FILE, data, beside)
            output = wrapped.output if wrapped.output is not UNSET else _decode(_OUTPUT, data, beside)
    if not isinstance(info.input, _Input) or not isinstance(output, _Output):
        raise InputError(f"{path} {NOT_A_BUILD_INFO}")
    present: set[str] = set()
    plain: dict[str, Any] = {"input": _input(info.input), "output": _output(output, path, present)}
    plain[ABSENT_CALL_TYPES] = frozenset(CALL_TYPES) - present
    if info.id is not UNSET:
        plain["id"] = info.id
    return plain


def decode_json(data: bytes | memoryview, where: Path) -> Any:
    """Any JSON value, with the same one-line errors."""
    return _decode(_ANY, data, where)


def _decode(decoder: msgspec.json.Decoder, data: bytes | memoryview, where: Path) -> Any:
    try:
        return decoder.decode(data)
    except RecursionError:
        from upgrader.inputs.strict_json import max_depth

        depth = max_depth(bytes(data).replace(b"\\\\", b"").replace(b'\\"', b""))  # escapes out, as its doc says
        raise InputError(f"build-info {where}: JSON nested {depth} levels deep, deeper than a build-info is; rebuild it") from None
    except msgspec.ValidationError as exc:
        if "Integer value out of range" in str(exc):
            raise InputError(f"build-info {where}: a number wider than 64 bits ({exc}); rebuild it") from None
        raise InputError(f"{where} {NOT_A_BUILD_INFO} ({exc})") from None
    except msgspec.DecodeError as exc:
        raise InputError(f"cannot read build-info {where}: {exc}; rebuild it") from None


def _input(source: _Input) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    if source.sources is not None:
        plain["sources"] = {
            unit: ({} if entry.content is UNSET else {"content": entry.content}) for unit, entry in source.sources.items()
        }
    if source.settings is not UNSET:
        plain["settings"] = source.settings
    return plain


def _output(output: _Output, where: Path, present: set[str]) -> dict[str, Any]:
    """``present``: gets the ``CALL_TYPES`` an AST may hold."""
    from upgrader.solc_ast.bodies import without_bodies

    plain: dict[str, Any] = {}
    if output.sources is not None:
        sources: dict[str, Any] = {}
        for unit, entry in output.sources.items():
            item: dict[str, Any] = {}
            if entry.id is not UNSET:
                item["id"] = entry.id
            if entry.ast is not UNSET:
                text = bytes(entry.ast)
                escaped = _ESCAPED_ASCII.search(text) is not None
                present.update(t for t in CALL_TYPES if escaped or t.encode() in text)
                ast = without_bodies(text, where)
                item["ast"] = ast if ast is not None else _decode(_ANY, text, where)
            sources[unit] = item
        plain["sources"] = sources
    if output.contracts is not None:
        plain["contracts"] = {
            unit: {name: _contract(compiled, where) for name, compiled in per_unit.items()}
            for unit, per_unit in output.contracts.items()
        }
    return plain


def _contract(compiled: _Contract, where: Path) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    if compiled.storageLayout is not UNSET:
        plain["storageLayout"] = compiled.storageLayout
    evm = compiled.evm
    if isinstance(evm, _Evm) and isinstance(evm.bytecode, _Bytecode):
        bytecode: dict[str, Any] = {}
        if evm.bytecode.linkReferences is not UNSET:
            bytecode["linkReferences"] = evm.bytecode.linkReferences
        elif evm.bytecode.object is not UNSET:  # placeholders are read only without link references
            bytecode["object"] = _decode(_ANY, evm.bytecode.object, where)
        plain["evm"] = {"bytecode": bytecode}
    return plain
