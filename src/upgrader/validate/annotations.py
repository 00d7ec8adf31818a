"""NatSpec annotations that relax the rules, read exactly as OpenZeppelin reads them.

``@custom:oz-upgrades-unsafe-allow <kinds...>`` allows a kind in the annotated node itself
(contract, function, constructor, modifier or variable); ``@custom:oz-upgrades-unsafe-allow-reachable
<kinds...>`` also allows it in everything reached from there. In the lexical scope of a node
both tags count (OpenZeppelin's ``skipCheck``); only the ``-reachable`` tag stops the walk into
callees. ``@custom:upgrader-unsafe-allow`` is an alias of the first that OpenZeppelin's tools
ignore (they fail on kinds they do not know, such as ``missing-disable-initializers``).
"""

from __future__ import annotations

from typing import Any

from upgrader.errors import InputError
from upgrader.solc_ast.natspec import annotation_args, documentation, has_tag

ALLOW = "oz-upgrades-unsafe-allow"
ALLOW_REACHABLE = "oz-upgrades-unsafe-allow-reachable"
# Same meaning as ALLOW. OpenZeppelin rejects kinds it does not know in its own tags, so our
# three kinds are best allowed under this tag in projects that also run OpenZeppelin's checks.
OWN_ALLOW = "upgrader-unsafe-allow"


def allowed_kinds(node: dict[str, Any], tag: str, known: frozenset[str], where: str) -> frozenset[str]:
    """Kinds listed under ``tag`` on ``node``; an unknown kind is an input error, as in OpenZeppelin."""
    args = annotation_args(documentation(node), tag)
    unknown = sorted(set(args) - known)
    if unknown:
        raise InputError(
            f"{where}: @custom:{tag} argument not recognized: {', '.join(unknown)} "
            f"(known kinds: {', '.join(sorted(known))})"
        )
    return frozenset(args)
