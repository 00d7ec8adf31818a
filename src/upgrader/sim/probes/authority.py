"""Authority kept (Munchables 2024: an upgrade left a privileged role with someone else).

After the batch, the owner of each recorded proxy (UUPS ``owner()``), of its ProxyAdmin or its
beacon is what it was, or still one of the recorded governance (the Safe, its Timelock or
Governor); a pending owner (``Ownable2Step``'s ``OwnershipTransferStarted``) of one of them
must be governance too. Every ``RoleGranted`` (OpenZeppelin's AccessControl event, which
AccessHub-style contracts emit as well) the batch emits for a privileged role must name the
governance: ``DEFAULT_ADMIN_ROLE``, a role whose name in the build (a ``*_ROLE`` constant)
says ADMIN, OWNER, UPGRADER or GOVERN, or a role that is the admin of another one
(``getRoleAdmin``). A grant of another role is not judged here (the diff shows it)."""

from __future__ import annotations

from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import to_checksum_address

from upgrader.keccak import keccak
from upgrader.sim.probes import Before, Finding, _governor

ROLE_GRANTED = keccak(b"RoleGranted(bytes32,address,address)")
OWNERSHIP_STARTED = keccak(b"OwnershipTransferStarted(address,address)")
GET_ROLE_ADMIN = keccak(b"getRoleAdmin(bytes32)")[:4]
PRIVILEGED_WORDS = ("ADMIN", "OWNER", "UPGRADER", "GOVERN")
DEFAULT_ADMIN_ROLE = bytes(32)


def role_names(build_info: dict[str, Any] | None) -> dict[bytes, str]:
    """role id -> name, for every ``X_ROLE()`` constant getter of the build (keccak256("X_ROLE"))."""
    out = {DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN_ROLE"}
    for units in ((build_info or {}).get("output") or {}).get("contracts", {}).values():
        for contract in units.values():
            for entry in contract.get("abi") or []:
                name = str(entry.get("name", ""))
                if entry.get("type") == "function" and name.endswith("_ROLE") and not entry.get("inputs") and name != "DEFAULT_ADMIN_ROLE":
                    out[keccak(name.encode())] = name
    return out


def _role_admins(w3: Any, contract: str, roles: list[bytes]) -> set[bytes]:
    out = set()
    for role in roles:
        raw = w3.provider.make_request("eth_call", [{"to": contract, "data": "0x" + (GET_ROLE_ADMIN + role).hex()}, "latest"])
        result = raw.get("result") or "0x"
        if "error" not in raw and len(result) == 66:
            out.add(bytes.fromhex(result[2:]))
    return out


def _logs(w3: Any, tx_hashes: list[str]) -> list[Any]:
    return [log for tx in tx_hashes for log in w3.eth.get_transaction_receipt(tx)["logs"]]


def probe(w3: Any, manifest: Any, before: Before, tx_hashes: list[str], governance: set[str],
          build_info: dict[str, Any] | None = None) -> list[Finding]:
    if manifest is None:
        return []
    bad: list[str] = []
    watched = set()
    for record in manifest.proxies:
        watched |= {a.lower() for a in (record.address, record.admin, record.beacon) if a}
        was, now = before.governors.get(record.name), _governor(w3, record)
        if now is not None and now != was and now.lower() not in governance:
            bad.append(f"{record.name}'s owner (of the proxy, its ProxyAdmin or beacon) moved {was} -> {now}")
    names = role_names(build_info)
    logs = _logs(w3, tx_hashes)
    grants = []
    for log in logs:
        topics = [bytes(t) for t in log["topics"]]
        emitter = to_checksum_address(log["address"])
        if topics and topics[0] == OWNERSHIP_STARTED and len(topics) == 3 and emitter.lower() in watched:
            pending = to_checksum_address(topics[2][-20:])
            if pending.lower() not in governance:
                bad.append(f"{emitter} starts an ownership transfer to {pending}")
        if topics and topics[0] == ROLE_GRANTED and len(topics) == 4:
            grants.append((emitter, topics[1], to_checksum_address(topics[2][-20:])))
    admins: dict[str, set[bytes]] = {}
    for emitter, role, account in grants:
        if account.lower() in governance:
            continue
        if emitter not in admins:
            admins[emitter] = _role_admins(w3, emitter, list(names))
        name = names.get(role)
        privileged = role == DEFAULT_ADMIN_ROLE or role in admins[emitter] or (
            name is not None and any(word in name for word in PRIVILEGED_WORDS))
        if privileged:
            bad.append(f"{emitter} grants {name or '0x' + role.hex()} to {account}")
    who = ", ".join(sorted(to_checksum_address(a) for a in governance))
    if bad:
        return [Finding("authority", "authority-granted", False,
                        "after the batch authority is held outside the recorded governance (" + who + "): " + "; ".join(bad))]
    return [Finding("authority", "authority-granted", True,
                    f"owners, admins and privileged roles stay with the recorded governance ({who}); "
                    f"{len(grants)} role grant(s) in the batch")]
