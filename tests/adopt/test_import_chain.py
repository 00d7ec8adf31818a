"""Issue 21: `upgrader import` records what the chain says. The proxy's creating transaction and
block (found on chain for `--proxy`, checked against the receipt for a forge broadcast that
pairs a hash with another transaction), the Safe's MultiSendCallOnly found on chain (exit 2
naming --multisend when it cannot be), modules named freely, and `watch --once` silent after
an import (a proxy's own construction events are not upgrades)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adopt_fixture import created, ok_json, run

pytestmark = pytest.mark.chain


def proxies(adopted: Any) -> list[tuple[str, str, str]]:
    return [(n, a, h) for n, a, h in created(adopted.broadcast) if n.endswith("Proxy")]


def creating_receipt(adopted: Any, address: str) -> Any:
    """The receipt whose contractAddress is ``address``, of the blocks forge's script used (forge's
    broadcast pairs transaction hashes with other transactions, so its hashes are not used)."""
    for number in range(1, adopted.w3.eth.block_number + 1):
        for tx in adopted.w3.eth.get_block(number)["transactions"]:
            receipt = adopted.w3.eth.get_transaction_receipt(tx)
            if (receipt["contractAddress"] or "").lower() == address.lower():
                return receipt
    raise AssertionError(f"nothing created {address}")


def manifest(adopted: Any) -> dict[str, Any]:
    return json.loads((adopted.root / "deployments" / "anvil" / "manifest.json").read_text())


def one_error_line(result: Any) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (result.exit_code, result.stderr)
    return lines[0]


def test_proxy_import_records_the_creation_and_the_multisend_found_on_chain(adopted):
    name, address, _ = proxies(adopted)[0]  # Counter's ERC1967Proxy
    receipt = creating_receipt(adopted, address)
    ok_json(run(adopted, "import", "--network", "anvil", "--proxy", f"Counter={address}", "--json"))  # no --multisend
    written = manifest(adopted)
    (record,) = written["proxies"]
    assert (record["deploy_tx"], record["deploy_block"]) == ("0x" + bytes(receipt["transactionHash"]).hex(), receipt["blockNumber"])
    assert written["safe"]["multisend_call_only"] == adopted.multisend


def test_a_broadcast_hash_that_did_not_create_the_proxy_is_replaced_by_the_chains(adopted):
    data = json.loads(adopted.broadcast.read_text())
    made = [t for t in data["transactions"] if t.get("transactionType") == "CREATE"]
    counter_proxy = next(t for t in made if t["contractName"] == "ERC1967Proxy")
    true_hash = "0x" + bytes(creating_receipt(adopted, counter_proxy["contractAddress"])["transactionHash"]).hex()
    other = made[0]["hash"] if made[0]["hash"] != true_hash else made[2]["hash"]
    counter_proxy["hash"] = other  # pairs the proxy with another transaction (forge's own file may too)
    shuffled = adopted.root / "run-shuffled.json"
    shuffled.write_text(json.dumps(data))
    settings = adopted.root / "upgrader.toml"  # a project that names no Counter: the import adds [modules.Counter] proxy = …
    settings.write_text(settings.read_text().replace('[modules.Counter]\ninitial = "Counter"\n', ""))
    result = ok_json(run(adopted, "import", "--network", "anvil", "--from-forge-broadcast", str(shuffled), "--json"))
    record = next(p for p in manifest(adopted)["proxies"] if p["name"] == "Counter")
    assert record["deploy_tx"] == true_hash != other
    assert any(other in n and "did not create it" in n for n in result["notes"]), result["notes"]
    assert '[modules.Counter]\nproxy = "' in settings.read_text()
    # again over it: the settings now name Counter's proxy, and the file's claim is still checked
    again = ok_json(run(adopted, "import", "--network", "anvil", "--from-forge-broadcast", str(shuffled), "--force", "--json"))
    assert any(other in n and "did not create it" in n for n in again["notes"]), again["notes"]
    assert next(p for p in manifest(adopted)["proxies"] if p["name"] == "Counter")["deploy_tx"] == true_hash


def test_no_multisend_on_chain_exits_2_naming_the_flag(adopted):
    from eth_utils import to_checksum_address

    adopted.w3.provider.make_request("anvil_setCode", [adopted.multisend, "0x"])  # a chain without it (reverted after)
    _, address, _ = proxies(adopted)[0]
    line = one_error_line(run(adopted, "import", "--network", "anvil", "--proxy", f"Counter={address}"))
    assert "--multisend" in line and "MultiSendCallOnly" in line
    not_multisend = one_error_line(run(adopted, "import", "--network", "anvil", "--proxy", f"Counter={address}",
                                       "--multisend", to_checksum_address(adopted.safe)))
    assert "--multisend" in not_multisend and "not Safe's MultiSendCallOnly" in not_multisend
    assert not (adopted.root / "deployments" / "anvil" / "manifest.json").exists()


def test_modules_are_named_freely_and_import_proposes_names_from_the_proxies(adopted):
    _, counter, _ = proxies(adopted)[0]
    settings = adopted.root / "upgrader.toml"
    text = settings.read_text().replace('[modules.Counter]\ninitial = "Counter"\n', f'[modules.Tally]\nproxy = "{counter}"\n')
    text = text.replace('[modules.Vault]\ninitial = "Vault"\n', "")  # a proxy the settings do not name
    settings.write_text(text)
    data = ok_json(run(adopted, "import", "--network", "anvil", "--from-forge-broadcast", str(adopted.broadcast), "--json"))
    names = {p["name"]: p["contract"].rsplit(":", 1)[1] for p in data["proxies"]}
    assert names["Tally"] == "Counter" and names["Vault"] == "Vault"
    assert '[modules.Vault]\nproxy = "' in settings.read_text()  # proposed and written where status looks
    status = ok_json(run(adopted, "status", "--network", "anvil", "--json"))
    assert {p["name"]: p["state"] for p in status["proxies"]}["Tally"] == "in_sync"
    assert {p["name"] for p in status["proxies"]} == set(names)


@pytest.mark.parametrize("source", ["proxy", "broadcast"])
def test_watch_is_silent_after_an_import(adopted, source):
    args = (["--from-forge-broadcast", str(adopted.broadcast)] if source == "broadcast"
            else [a for n, (_, address, _) in zip(("Counter", "Vault", "Item", "Item2", "LegacyCounter", "Registry"), proxies(adopted))
                  if n != "Item2" for a in ("--proxy", f"{n}={address}")])
    ok_json(run(adopted, "import", "--network", "anvil", *args, "--json"))
    watched = run(adopted, "watch", "--network", "anvil", "--once", "--no-service")
    assert watched.exit_code == 0 and not watched.stdout.strip(), watched.stdout + watched.stderr
    again = run(adopted, "watch", "--network", "anvil", "--once", "--no-service", "--from-block", "0")
    (adopted.root / "deployments" / "anvil" / "watch.json").unlink()
    scratch = run(adopted, "watch", "--network", "anvil", "--once", "--no-service", "--from-block", "0")
    assert again.exit_code == 0 and scratch.exit_code == 0 and not scratch.stdout.strip(), scratch.stdout + scratch.stderr


def test_module_names_without_version_marks():
    from upgrader.adopt.naming import from_proxy_contract, stripped

    assert [stripped(n) for n in ("VaultV1", "BoxUpgradeable", "CounterImpl", "TokenV2_1", "V1", "Registry")] == [
        "Vault", "Box", "Counter", "Token", "V1", "Registry"]
    assert from_proxy_contract("VaultProxy") == "Vault" and from_proxy_contract("ERC1967Proxy") is None


def test_import_table_keeps_long_contract_locations_whole(adopted):
    long_name = "TransparentUpgradeableVaultWithImmutablesAndAVeryLongDescriptiveName"
    src = adopted.root / "src" / "v1" / "Vault.sol"
    moved = adopted.root / "src" / "v1" / f"{long_name}File.sol"
    moved.write_text(src.read_text())  # the same contract, also at a long location: import prefers neither
    src.unlink()
    for script in (adopted.root / "script").glob("*.sol"):
        script.write_text(script.read_text().replace("src/v1/Vault.sol", f"src/v1/{long_name}File.sol"))
    _, vault, _ = proxies(adopted)[1]
    result = run(adopted, "import", "--network", "anvil", "--proxy", f"Vault={vault}")
    assert result.exit_code == 0, result.stderr
    location = f"src/v1/{long_name}File.sol:Vault"
    assert "…" not in result.stdout and any(location in line for line in result.stdout.splitlines()), result.stdout


def test_version_marks_are_dropped_whatever_the_name():
    from hypothesis import given, strategies as st

    from upgrader.adopt.naming import free, stripped

    bases = st.from_regex(r"[A-Z][a-z]{1,10}", fullmatch=True)
    marks = st.lists(st.sampled_from(["V1", "V2", "_v3", "V10_1", "Upgradeable", "Impl", "Implementation", "Logic"]), max_size=3)

    @given(bases, marks, st.sets(bases, max_size=4))
    def check(base, suffixes, taken):
        assert stripped(base + "".join(suffixes)) == base
        name = free(base, taken)
        assert name not in taken and name.startswith(base)

    check()


def test_import_with_the_settings_alone(adopted):
    _, counter, _ = proxies(adopted)[0]
    settings = adopted.root / "upgrader.toml"
    settings.write_text(settings.read_text().replace('[modules.Counter]\ninitial = "Counter"\n', f'[modules.Tally]\nproxy = "{counter}"\n'))
    data = ok_json(run(adopted, "import", "--network", "anvil", "--json"))  # no --proxy, broadcast or OZ manifest
    assert [(p["name"], p["address"].lower()) for p in data["proxies"]] == [("Tally", counter.lower())]


def test_one_transparent_proxy_named_twice_says_so_without_a_beacon(adopted):
    transparent = next(a for n, a, _ in created(adopted.broadcast) if n == "TransparentUpgradeableProxy")
    line = one_error_line(run(adopted, "import", "--network", "anvil", "--proxy", f"Vault={transparent}",
                              "--proxy", f"Safebox={transparent}"))
    assert "is already imported as Vault" in line and "beacon" not in line and "None" not in line, line


def test_code_compiled_by_another_solc_is_named_so(adopted: Any, monkeypatch: pytest.MonkeyPatch):
    """The same sources compiled by another solc match nothing: import names both compilers and
    how to pin the deployed one (was: 'build the revision that was deployed', which it is). Seen on
    Cyfrin/foundry-upgrades-cu (no solc pinned; forge had 0.8.25, upgrader's highest installed was 0.8.30)."""
    from eth_utils import to_checksum_address

    from upgrader.adopt.match import compiler_of

    assert compiler_of(bytes(adopted.w3.eth.get_code(to_checksum_address(proxies(adopted)[0][1])))) == "0.8.28"  # forge's
    monkeypatch.setenv("FOUNDRY_SOLC_VERSION", "0.8.25")  # a pin of another solc in the team's shell (CliRunner adds to os.environ)
    result = run(adopted, "import", "--network", "anvil", "--from-forge-broadcast", str(adopted.broadcast))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "the deployed code was compiled by solc 0.8.28, this build by solc 0.8.25:" in result.stderr, result.stderr
    assert 'solc = "0.8.28"' in result.stderr and "build the revision" not in result.stderr, result.stderr
