"""The optional part of upgrader a missing module belongs to. `pip install upgrader` installs
only what `upgrader check` and `upgrader layout` need (the lean install CI runs, issue 19); every
other command needs the chain stack, the `chain` extra. A command that reaches for it in a lean
install ends with one line saying what to install (exit 2), never a traceback."""

from __future__ import annotations

import sys

# top-level import names of the `chain` extra's distributions (pyproject.toml) that upgrader imports
CHAIN_MODULES = frozenset(
    {
        "ape", "ape_ethereum", "ape_foundry", "ape_safe", "ape_solidity", "ape_node", "ape_test",
        "web3", "eth_abi", "eth_account", "eth_hash", "eth_keys", "eth_typing", "eth_utils",
        "eth_pydantic_types", "hexbytes", "Crypto", "requests", "hypothesis", "pytest", "_pytest", "pyrevm",
    }
)
INSTALL = "pip install 'upgrader[chain]' (or uv tool install 'upgrader[chain]'; in a checkout: make install)"


def missing_extra(exc: BaseException) -> str | None:
    """The one line for an exception that comes from a chain-stack module not installed, else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = getattr(current, "name", None) if isinstance(current, ModuleNotFoundError) else None
        if name and name.split(".")[0] in CHAIN_MODULES:
            command = next((a for a in sys.argv[1:] if not a.startswith("-")), "this command")
            return f"upgrader {command} needs the chain stack ({name.split('.')[0]} is not installed); {INSTALL}"
        current = current.__cause__ or current.__context__
    return None
