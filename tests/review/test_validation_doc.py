"""`upgrader review --validation-file`: the document a signer keeps (issue 24). The demo
batch's has no undecoded slot, a nested owner Safe's hashes are listed, two runs at the same
block write the same bytes, and what no layout names is decoded through OpenZeppelin 5's
namespaces or the keccak preimages the transaction hashed, else listed with its reason."""

from __future__ import annotations

import copy
import json
import shlex

import pytest
from review_helpers import calldata, load_vector, run
from eth_utils import to_checksum_address
from typer.testing import CliRunner

from upgrader.keccak import keccak
from upgrader.safe import Call, add_checksum, build_batch_file
from upgrader.safe.tx import SafeDomain, SafeTx, hashes
from upgrader.sim.safe_exec import approve_and_execute, safe_contract
from upgrader.stages.context import NetworkContext
from upgrader.stages.plan import make_plan
from upgrader.stages.review.report import ReviewContext
from upgrader.stages.review.signing_safes import safe_tx_fields
from upgrader.stages.review.simulate.fork import simulate_review
from upgrader.stages.review.validation_doc import count_undecoded, validation_document

UPGRADER_ROLE = keccak(b"UPGRADER_ROLE")


def test_the_hashes_agree_with_the_public_vector():
    v = load_vector("safe-tx-hash.json")
    fields = safe_tx_fields(SafeTx.from_json(v), SafeDomain(v["chain_id"], v["safe"], v["safe_version"]))
    assert fields["safe_tx_hash"] == v["expected"]["safe_tx_hash"]
    assert fields["domain_hash"].startswith(v["expected"]["domain_hash_prefix"])
    assert fields["message_hash"].startswith(v["expected"]["message_hash_prefix"])
    assert fields["message"]["nonce"] == str(v["nonce"]) and fields["domain"] == {"chainId": "42161", "verifyingContract": v["safe"]}


def _demo_batch(chain) -> tuple[dict, dict]:
    """The demo's upgrade batch (the plan `make demo` proposes) at the Safe's nonce."""
    plan = make_plan(NetworkContext(config=chain.config, network=chain.config.network(chain.network), w3=chain.w3))
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    calls = [Call(c["to"], c["data"], int(c["value"])) for c in plan["calls"]]
    batch = copy.deepcopy(build_batch_file(chain_id=31337, safe=chain.safe, calls=calls, name="upgrade"))
    batch["meta"]["nonce"] = str(nonce)
    return add_checksum(batch), plan


def _document(chain, anvil, obj: dict) -> tuple[str, dict]:
    ctx = ReviewContext(manifest=chain.manifest, build_info=chain.build_info)
    report = run(obj, ctx)
    sim = simulate_review(report, ctx, anvil.url, root=chain.config.root).to_json()
    return validation_document(report, sim, "upgrader review x --validation-file"), sim


@pytest.mark.chain
def test_the_demo_batchs_document_decodes_every_changed_slot(chain, anvil):
    batch, plan = _demo_batch(chain)
    text, sim = _document(chain, anvil, batch)
    changed, undecoded = count_undecoded(sim)
    assert changed >= 9 and undecoded == 0, [c for e in sim["storage"] for c in e["changes"] if c["name"] is None]
    assert "undecoded 0" in text and "### Undecoded slots: 0" in text and "**UNDECODED**" not in text
    assert text.isascii()
    # every proxy call and its init call, decoded
    for u in plan["upgrades"]:
        assert f"({u['proxy']} proxy): {u['proxy']}.upgradeToAndCall(" in text
    assert "`0.2.init` runs in the proxy (init call)" in text and "PropertyRegistryV2.initializeV2(1, 8)" in text
    assert "RentVaultV2.initializeV2(500, 259200)" in text and "- gracePeriod_ (uint32): `259200`" in text
    # the outer Safe's hashes as a device shows them
    safe = sim["signing_safes"][0]
    assert len(sim["signing_safes"]) == 1 and safe["safe_tx_hash"] == sim["execution"]["safe_tx_hash"]
    assert f"- domain hash `0x{safe['domain_hash'][2:].upper()}`" in text and f"- safeTxHash `{safe['safe_tx_hash']}`" in text
    assert "| _lateFeeBps | uint16 | `0` | `500` |" in text and "| InitializableStorage._initialized | uint64 | `1` | `2` |" in text


@pytest.mark.chain
def test_a_nested_owner_safes_hashes_are_listed(chain, anvil):
    from upgrader.deploy.safe import create_safe, deploy_infrastructure

    w3 = chain.w3
    infra = deploy_infrastructure(w3, chain.deployer)
    owner_safe = create_safe(w3, chain.deployer, infra, [w3.eth.accounts[8], w3.eth.accounts[9]], 2, salt_nonce=4243)
    safe = safe_contract(w3, chain.safe)
    owners = list(safe.functions.getOwners().call())
    swap = bytes.fromhex(safe.encode_abi("swapOwner", [owners[1], owners[2], owner_safe])[2:])
    approve_and_execute(w3, chain.safe, SafeTx(to=chain.safe, data=swap, nonce=safe.functions.nonce().call()), owners[:2])
    nonce = safe.functions.nonce().call()
    tx = SafeTx(to=chain.address("MockERC20"), data=calldata("mint(address,uint256)", ["address", "uint256"], [owner_safe, 7]), nonce=nonce)
    text, sim = _document(chain, anvil, {**tx.to_json(), "safe": chain.safe, "chainId": 31337})

    outer_hash = hashes(tx, SafeDomain(31337, chain.safe, "1.4.1")).safe_tx_hash
    inner_nonce = safe_contract(w3, owner_safe).functions.nonce().call()
    inner = SafeTx(to=chain.safe, data=bytes.fromhex("d4d9bdcd") + outer_hash, nonce=inner_nonce)
    inner_hashes = hashes(inner, SafeDomain(31337, owner_safe, "1.4.1"))
    assert [(e["path"], e["safe"]) for e in sim["signing_safes"]] == [("0", chain.safe), ("0.1", owner_safe)]
    assert sim["signing_safes"][0]["safe_tx_hash"] == "0x" + outer_hash.hex()
    assert sim["signing_safes"][1]["safe_tx_hash"] == "0x" + inner_hashes.safe_tx_hash.hex()
    # the owner Safe's own execTransaction with that hash succeeded on the fork: the chain agrees
    assert [(a["safe"], a["safe_tx_hash"], a["ok"]) for a in sim["execution"]["approvals"]] == [
        (owner_safe, "0x" + inner_hashes.safe_tx_hash.hex(), True)]
    for h in (inner_hashes.domain_hash, inner_hashes.message_hash):
        assert f"`0x{h.hex().upper()}`" in text
    assert f"### 0.1: Safe `{owner_safe}` (v1.4.1, 2 of 2)" in text and f"| to | `{chain.safe}` |" in text
    assert f"| data | `0xd4d9bdcd{outer_hash.hex()}` |" in text and f"| nonce | `{inner_nonce}` |" in text


def _push32(x: int) -> str:
    return "7f" + x.to_bytes(32, "big").hex()


def _oz_root(ns: str) -> int:
    from upgrader.layout.namespaces import erc7201_root

    return erc7201_root(ns)


# grantRole-like writes no layout of the build describes, keys only the execution hashes:
#   _roles[calldata role].hasRole[calldata account] = 1 under AccessControl's ERC-7201 root,
#   OwnableStorage._owner = calldata account, slot 7[calldata word + 1] = 5, slot 0x1234 = 5
WRITER = "".join([
    "600435600052", _push32(_oz_root("openzeppelin.storage.AccessControl")), "602052", "6040600020",
    "602052", "602435600052", "6040600020", "60019055",
    "602435", _push32(_oz_root("openzeppelin.storage.Ownable")), "55",
    "600160443501600052600760205260406000206005905500"[:-2],
    "6005611234" "55", "00",
])


@pytest.mark.chain
def test_slots_without_a_layout_are_named_by_namespace_or_preimage_and_the_rest_listed(chain, anvil):
    target = "0x00000000000000000000000000000000000A11CE"
    chain.w3.provider.make_request("anvil_setCode", [target, "0x" + WRITER])
    account = to_checksum_address("0x000000000000000000000000000000000000beef")
    data = bytes.fromhex("12345678") + UPGRADER_ROLE + bytes(12) + bytes.fromhex(account[2:]) + (41).to_bytes(32, "big")
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    tx = SafeTx(to=target, data=data, nonce=nonce)
    ctx = ReviewContext(manifest=chain.manifest, build_info=chain.build_info)
    report = run({**tx.to_json(), "safe": chain.safe, "chainId": 31337}, ctx)
    sim = simulate_review(report, ctx, anvil.url, root=chain.config.root).to_json()
    from upgrader.sim.known_slots import role_ids

    text = validation_document(report, sim, "upgrader review x --validation-file", role_ids([]))
    changes = {c["name"]: c for e in sim["storage"] if e["address"].lower() == target.lower() for c in e["changes"]}
    roles = f"AccessControlStorage._roles[0x{UPGRADER_ROLE.hex()}].hasRole[{account}]"
    assert changes[roles]["after"] == "true" and changes[roles]["decoded_by"] == "OpenZeppelin 5 namespace"
    assert changes["OwnableStorage._owner"]["after"] == account
    assert "slot 7[0x2a]" in changes, sorted(map(str, changes))
    assert changes["slot 7[0x2a]"]["decoded_by"] == "keccak preimage"
    assert changes[None]["slot"] == "0x1234"
    assert count_undecoded(sim) == (4 + 1, 1)  # and the Safe's nonce
    assert f"_roles[UPGRADER_ROLE 0x{UPGRADER_ROLE.hex()}]" in text
    assert "### Undecoded slots: 1" in text and "slot `0x1234`: no layout" in text


@pytest.mark.chain
def test_the_cli_writes_the_same_bytes_twice_and_its_command_reproduces_them(chain, anvil, tmp_path):
    batch, _ = _demo_batch(chain)
    folder = tmp_path / "deployments"
    manifest = json.loads((chain.config.deployments / chain.network / "manifest.json").read_text())
    (folder / "local" / "proposals").mkdir(parents=True)
    (folder / "local" / "manifest.json").write_text(json.dumps({**manifest, "network": "local"}, indent=2, sort_keys=True))
    h = run(batch, ReviewContext(manifest=chain.manifest)).hashes["safe_tx_hash"]
    (folder / "local" / "proposals" / f"{h}.json").write_text(json.dumps(batch))
    block = chain.w3.eth.block_number
    env = {"UPGRADER_DEPLOYMENTS": str(folder), "UPGRADER_RPC_LOCAL": anvil.url, "COLUMNS": "200", "NO_COLOR": "1"}
    runner = CliRunner()

    first = runner.invoke(app(), ["review", h, "--block", str(block), "--validation-file", "--json"], env=env)
    assert first.exit_code in (0, 1), first.output
    doc = json.loads(first.stdout)["validation_file"]
    path = folder / "local" / "proposals" / f"{h}.validation.md"
    assert doc["path"] == str(path) and doc["undecoded_slots"] == 0
    written = path.read_bytes()
    assert doc["keccak256"] == "0x" + keccak(written).hex()
    assert doc["command"] == f"upgrader review {h} --network local --block {block} --validation-file"
    assert f"```\n{doc['command']}\n```" in written.decode()

    chain.w3.provider.make_request("evm_mine", [])  # the chain moves on; the pinned block does not
    second = runner.invoke(app(), ["review", h, "--block", str(block), "--validation-file", str(tmp_path / "again.md")], env=env)
    assert second.exit_code in (0, 1), second.output
    assert (tmp_path / "again.md").read_bytes() == written
    assert f"keccak256 {doc['keccak256']}" in second.stdout

    path.unlink()
    third = runner.invoke(app(), shlex.split(doc["command"])[1:], env=env)  # the document's own command
    assert third.exit_code in (0, 1), third.output
    assert path.read_bytes() == written


def app():
    from upgrader.cli.main import app as typer_app

    return typer_app


def test_validation_file_with_offline_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(app(), ["review", "0x" + "ab" * 32, "--offline", "--validation-file"],
                                env={"UPGRADER_DEPLOYMENTS": str(tmp_path)})
    assert result.exit_code == 2 and "drop --offline" in result.output and len(result.output.strip().splitlines()) == 1
