"""`upgrader import` on the forge-deployed fixture: from OpenZeppelin's manifest (upgrades-core
wrote it), with a deployed version that is no longer in the build, and its error contract."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adopt_fixture import ok_json, run

pytestmark = pytest.mark.chain


def manifest_path(adopted: Any):
    return adopted.root / "deployments" / "anvil" / "manifest.json"


def oz_proxy(adopted: Any) -> str:
    return json.loads(adopted.oz_manifest.read_text())["proxies"][0]["address"]


def test_from_openzeppelin_manifest(adopted):
    from upgrader.build.project import project_build_info
    from upgrader.check.engine import compare_with_stored
    from upgrader.adopt.ozlayout import convert

    data = ok_json(run(adopted, "import", "--network", "anvil", "--from-openzeppelin", str(adopted.oz_manifest),
                       "--multisend", adopted.multisend, "--json"))
    (proxy,) = data["proxies"]
    assert (proxy["name"], proxy["kind"], proxy["contract"]) == ("Counter", "uups", "src/v1/Counter.sol:Counter")
    assert proxy["address"] == oz_proxy(adopted)
    # the layout upgrades-core stored (namespaces included) agrees with the one upgrader extracts
    stored = next(iter(json.loads(adopted.oz_manifest.read_text())["impls"].values()))["layout"]
    converted = convert(stored, "src/v1/Counter.sol:Counter")
    assert {n["id"] for n in converted["namespaces"]} == {"openzeppelin.storage.Ownable", "openzeppelin.storage.Initializable"}
    verdict = compare_with_stored(converted, project_build_info(adopted.root), "src/v1/Counter.sol:Counter").to_json()
    assert verdict["ok"] and not verdict["errors"], verdict


def test_deployed_version_not_in_the_build_takes_the_openzeppelin_layout(adopted):
    source = adopted.root / "src" / "v1" / "Counter.sol"
    source.write_text(source.read_text().replace("    function bump() external {",
                                                 "    function twice() external {\n        count += 2;\n    }\n\n    function bump() external {"))
    data = ok_json(run(adopted, "import", "--network", "anvil", "--from-openzeppelin", str(adopted.oz_manifest),
                       "--multisend", adopted.multisend, "--json"))
    (proxy,) = data["proxies"]
    assert proxy["contract"] == f"{adopted.oz_manifest.name}:Counter"
    assert any("its layout comes from" in n for n in data["notes"])
    status = ok_json(run(adopted, "status", "--network", "anvil", "--json"))
    assert [p["state"] for p in status["proxies"]] == ["pending"]  # the build's Counter is the edited one
    plan = ok_json(run(adopted, "plan", "--network", "anvil", "--json"))
    assert plan["plan"]["upgrades"][0]["check"]["ok"]  # the edit keeps OZ's stored layout


def test_code_in_no_build_exits_1_naming_the_closest(adopted):
    source = adopted.root / "src" / "v1" / "LegacyCounter.sol"
    source.write_text(source.read_text().replace("count += 1;", "count += 2;"))
    made = [a for n, a, _ in __import__("adopt_fixture").created(adopted.broadcast) if n == "ERC1967Proxy"]
    result = run(adopted, "import", "--network", "anvil", "--proxy", f"Legacy={made[-1]}", "--multisend", adopted.multisend)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Legacy" in result.stderr and "closest is src/v1/LegacyCounter.sol:LegacyCounter" in result.stderr
    assert not manifest_path(adopted).exists()


def test_bad_input_exits_2_with_one_line(adopted):
    from adopt_fixture import created

    made = {n: a for n, a, _ in created(adopted.broadcast)}
    garbage = adopted.root / ".openzeppelin" / "unknown-31337.json"
    garbage.write_text("{not json")
    wrong_chain = adopted.root / "run-other-chain.json"
    wrong_chain.write_text(json.dumps({**json.loads(adopted.broadcast.read_text()), "chain": 1}))
    cases = {
        "unknown address": ["--proxy", f"X=0x{'12' * 20}"],
        "not a proxy": ["--proxy", f"X={made['UpgradeableBeacon']}"],
        "wrong chain": ["--from-forge-broadcast", str(wrong_chain)],
        "unreadable OZ manifest": ["--from-openzeppelin", str(garbage)],
        "OZ manifest of another chain": ["--from-openzeppelin", str(adopted.root / "mainnet.json")],
        "bad pair": ["--proxy", "0x1234"],
    }
    (adopted.root / "mainnet.json").write_text(json.dumps({"manifestVersion": "3.2", "proxies": [], "impls": {}}))
    for why, args in cases.items():
        result = run(adopted, "import", "--network", "anvil", *args)
        assert result.exit_code == 2, (why, result.stdout, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (why, result.stderr)
        assert not manifest_path(adopted).exists(), why


def test_addresses_are_checksummed(adopted):
    from adopt_fixture import created

    from eth_utils import to_checksum_address

    made = [a for n, a, _ in created(adopted.broadcast) if n == "ERC1967Proxy"]  # forge writes them lowercase
    data = ok_json(run(adopted, "import", "--network", "anvil", "--proxy", f"Counter={made[0].lower()}",
                       "--multisend", adopted.multisend, "--json"))
    assert data["proxies"][0]["address"] == to_checksum_address(made[0]) != made[0].lower()
    assert made[0].lower() not in manifest_path(adopted).read_text()
    status = ok_json(run(adopted, "status", "--network", "anvil", "--json"))
    assert [p["state"] for p in status["proxies"]] == ["in_sync"]  # a lowercase address is not drift


def test_a_proxy_the_safe_does_not_govern_is_recorded_and_not_planned(adopted):
    from eth_abi import encode
    from eth_utils import to_checksum_address

    from adopt_fixture import add_v2, created
    from upgrader.chain.rpc import send
    from upgrader.sim.safe_exec import impersonate
    from upgrader.keccak import keccak

    w3 = adopted.w3
    beacon = to_checksum_address({n: a for n, a, _ in created(adopted.broadcast)}["UpgradeableBeacon"])
    someone = w3.eth.accounts[7]
    impersonate(w3, adopted.safe)  # the Safe hands the beacon to an EOA
    send(w3, {"from": adopted.safe, "to": beacon, "data": "0x" + (keccak(b"transferOwnership(address)")[:4] + encode(["address"], [someone])).hex()})
    data = ok_json(run(adopted, "import", "--network", "anvil", "--from-forge-broadcast", str(adopted.broadcast),
                       "--multisend", adopted.multisend, "--json"))
    item = next(p for p in data["proxies"] if p["name"] == "Item")
    assert item["governor"] == someone and not item["governed_by_safe"]
    assert any("Item: upgraded by" in n and "cannot propose" in n for n in data["notes"])
    add_v2(adopted.root)
    refused = run(adopted, "plan", "--network", "anvil")
    assert refused.exit_code == 1 and "cannot propose for Item" in refused.stderr, refused.stderr
    others = ok_json(run(adopted, "plan", "--network", "anvil", "--only", "Counter", "--json"))
    assert [u["proxy"] for u in others["plan"]["upgrades"]] == ["Counter"]


def test_review_names_proxyadmin_and_beacon_calls_and_flags_unknown_ones(adopted):
    from upgrader.build.project import project_build_info
    from upgrader.manifest import ManifestStore
    from upgrader.stages.review.decode import AddressBook, Decoder, artifacts_of
    from upgrader.stages.review.rules import unknown_upgraders, untrusted_targets
    from upgrader.proxies import kind_of
    from upgrader.safe.multisend import Call

    ok_json(run(adopted, "import", "--network", "anvil", "--from-forge-broadcast", str(adopted.broadcast),
                "--multisend", adopted.multisend, "--json"))
    manifest = ManifestStore(adopted.root / "deployments", "anvil").load()
    arts = artifacts_of(project_build_info(adopted.root))
    book = AddressBook(manifest, arts)
    decoder = Decoder(book, arts)
    impl = "0x" + "ab" * 20
    for name, shown in (("Vault", "ProxyAdmin of Vault"), ("Item", "UpgradeableBeacon of Item")):
        record = manifest.proxy(name)
        (call,) = kind_of(record).upgrade_calls(record, impl, b"", "no call")
        node = decoder.decode(Call(call.to, call.data))
        assert node.contract == shown and node.function in ("upgradeAndCall", "upgradeTo")
        assert not unknown_upgraders(node, book) and not untrusted_targets(node, book, lambda _: False)
        stranger = decoder.decode(Call("0x" + "cd" * 20, call.data))  # the same call to a contract nobody recorded
        assert [w.kind for w in unknown_upgraders(stranger, book)] == ["unknown-upgrader"]


def test_layout_from_a_git_revision(adopted):
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=adopted.root, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "as deployed")
    source = adopted.root / "src" / "v1" / "Counter.sol"
    source.write_text(source.read_text().replace("count += 1;", "count += 3;"))  # today's Counter is not the deployed one
    made = [a for n, a, _ in __import__("adopt_fixture").created(adopted.broadcast) if n == "ERC1967Proxy"]
    refused = run(adopted, "import", "--network", "anvil", "--proxy", f"Counter={made[0]}", "--multisend", adopted.multisend)
    assert refused.exit_code == 1, refused.stderr
    data = ok_json(run(adopted, "import", "--network", "anvil", "--proxy", f"Counter={made[0]}", "--multisend", adopted.multisend,
                       "--layout-from", "git:HEAD", "--json"))
    assert data["proxies"][0]["contract"] == "src/v1/Counter.sol:Counter"
    assert any("--layout-from" in n for n in data["notes"])
    status = ok_json(run(adopted, "status", "--network", "anvil", "--json"))
    assert [p["state"] for p in status["proxies"]] == ["pending"]
