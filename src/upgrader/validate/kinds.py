"""Every validation kind with its message, hint and documentation anchor, in one table.

Kind names are OpenZeppelin's where OpenZeppelin has the rule, so ``--unsafe-allow`` and the
``@custom:oz-upgrades-unsafe-allow`` annotations mean the same thing in both tools. Messages
are ``str.format`` templates over the parameters each rule passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from upgrader.findings import Severity

Kind = Literal[
    "constructor",
    "delegatecall",
    "selfdestruct",
    "state-variable-assignment",
    "state-variable-immutable",
    "external-library-linking",
    "missing-public-upgradeto",
    "internal-function-storage",
    "missing-initializer",
    "missing-initializer-call",
    "duplicate-initializer-call",
    "incorrect-initializer-order",
    "missing-disable-initializers",
    "unprotected-authorize-upgrade",
    "non-increasing-reinitializer",
]

OZ_DOCS = "https://docs.openzeppelin.com/upgrades-plugins/writing-upgradeable"
OURS = "README.md#validation-rules"


@dataclass(frozen=True)
class Rule:
    message: str
    hint: str
    doc: str
    severity: Severity = "error"


RULES: dict[Kind, Rule] = {
    "constructor": Rule(
        "Contract `{contract}` has a constructor with a body or modifiers",
        "Move the code into an initializer; for the `_disableInitializers()` constructor of an "
        "implementation (UUPS, Transparent or beacon) add `/// @custom:oz-upgrades-unsafe-allow constructor`",
        f"{OZ_DOCS}#initializers",
    ),
    "delegatecall": Rule(
        "Use of delegatecall is not allowed{via}",
        "A delegatecall from the implementation can destroy or take over it; if the target is "
        "trusted, annotate the function with `@custom:oz-upgrades-unsafe-allow delegatecall`",
        f"{OZ_DOCS}#potentially-unsafe-operations",
    ),
    "selfdestruct": Rule(
        "Use of selfdestruct is not allowed{via}",
        "A selfdestruct in the implementation would brick every proxy that points at it; remove it",
        f"{OZ_DOCS}#potentially-unsafe-operations",
    ),
    "state-variable-assignment": Rule(
        "Variable `{name}` is assigned an initial value",
        "The value is set in the implementation's storage, not the proxy's: set it in the "
        "initializer, or make it `constant`",
        f"{OZ_DOCS}#avoid-initial-values-in-field-declarations",
    ),
    "state-variable-immutable": Rule(
        "Variable `{name}` is immutable",
        "Immutables live in the implementation's code and are shared by every proxy; if that is "
        "intended, annotate it with `@custom:oz-upgrades-unsafe-allow state-variable-immutable`",
        f"{OZ_DOCS}#avoid-initial-values-in-field-declarations",
    ),
    "external-library-linking": Rule(
        "Contract `{contract}` links the external library `{name}`",
        "Linked libraries are not checked and can be swapped under the proxy: make the library "
        "functions `internal`, or check the library yourself and allow `external-library-linking`",
        "https://docs.openzeppelin.com/upgrades-plugins/faq#why-cant-i-use-external-libraries",
    ),
    "missing-public-upgradeto": Rule(
        "Contract `{contract}` is a UUPS implementation without a public `upgradeToAndCall`",
        "Inherit UUPSUpgradeable (OpenZeppelin 5) so that the proxy can still be upgraded after this version",
        "https://docs.openzeppelin.com/upgrades-plugins/faq#what-does-it-mean-for-an-implementation-to-be-compatible",
    ),
    "internal-function-storage": Rule(
        "Variable `{name}` holds an internal function pointer",
        "Internal function pointers are code offsets that change with every upgrade: store an "
        "external function type or an identifier instead",
        "https://docs.openzeppelin.com/upgrades-plugins/faq#internal-function-storage",
    ),
    "missing-initializer": Rule(
        "Contract `{contract}` has no initializer, but its parents need initializing",
        # a reinitializer is not an initializer unless annotated, and upgrades-core's note says to annotate it:
        # OpenZeppelin/openzeppelin-upgrades packages/core/src/validate/run/initializer.ts
        # @ c616aa6676e9072925032259d409750fb52d2248 (getPossibleInitializers)
        "Add an `initialize` function with the `initializer` modifier that calls {parents}; a version whose "
        "only initializer is a `reinitializer(n)` (a V2): annotate it with "
        "`/// @custom:oz-upgrades-validate-as-initializer` so that it is checked as the initializer",
        f"{OZ_DOCS}#initializers",
    ),
    "missing-initializer-call": Rule(
        "`{function}` does not call the initializer of {parents}",
        "Call {calls} from `{function}`",
        f"{OZ_DOCS}#initializers",
    ),
    "duplicate-initializer-call": Rule(
        "`{function}` calls `{parent_initializer}` of `{parent}` more than once",
        "Call each parent initializer once: an `_init` already calls its own `_init_unchained`",
        f"{OZ_DOCS}#initializers",
    ),
    "incorrect-initializer-order": Rule(
        "`{function}` calls the initializer of `{parent}` out of order",
        "Call parent initializers in linearization order: {expected}",
        f"{OZ_DOCS}#initializers",
        severity="warning",
    ),
    "missing-disable-initializers": Rule(
        "UUPS implementation `{contract}` does not call `_disableInitializers()` in its constructor",
        # OpenZeppelin >= 4.3.2's upgradeTo/upgradeToAndCall are onlyProxy: the owner of the bare
        # implementation cannot upgrade (or destroy) it through them
        "Anyone can initialize the bare implementation and own it; where its owner can reach a delegatecall "
        "or selfdestruct, or with a UUPSUpgradeable older than OpenZeppelin 4.3.2 (no onlyProxy), that "
        "destroys or hijacks it. OpenZeppelin recommends `_disableInitializers()` in a constructor: add "
        "`/// @custom:oz-upgrades-unsafe-allow constructor` `constructor() {{ _disableInitializers(); }}`",
        f"{OURS}-missing-disable-initializers",
    ),
    "unprotected-authorize-upgrade": Rule(
        "`_authorizeUpgrade` in `{contract}` has an empty body and no modifier: anyone can upgrade",
        "Restrict it, e.g. `function _authorizeUpgrade(address) internal override onlyOwner {{}}`",
        f"{OURS}-unprotected-authorize-upgrade",
    ),
    "non-increasing-reinitializer": Rule(
        "`{function}` uses reinitializer({version}), {reason}",
        "Use a version greater than every initializer version before it ({highest}), e.g. reinitializer({next})",
        f"{OURS}-non-increasing-reinitializer",
    ),
}

KNOWN_KINDS: frozenset[str] = frozenset(get_args(Kind))
# OpenZeppelin's legacy kinds: accepted in annotations and --unsafe-allow, never reported.
LEGACY_KINDS: frozenset[str] = frozenset({"struct-definition", "enum-definition"})
ACCEPTED_KINDS: frozenset[str] = KNOWN_KINDS | LEGACY_KINDS
