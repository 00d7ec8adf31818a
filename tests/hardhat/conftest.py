"""One real `npx hardhat compile` per session, shared by the tests of this folder."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hardhat_project import BIN, ROOT, copy_project, hardhat


@pytest.fixture(scope="session")
def hardhat_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (BIN / "hardhat").exists():
        pytest.fail(f"{BIN / 'hardhat'} is missing; run `make install`")
    root = copy_project(tmp_path_factory.mktemp("hardhat") / "project")
    t = time.monotonic()
    hardhat(root, "compile")
    print(f"\nnpx hardhat compile: {time.monotonic() - t:.1f} s")
    return root


@pytest.fixture(scope="session")
def hardhat_deployed(hardhat_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Box behind a UUPS proxy on a fresh Anvil, deployed by the project's own
    `npx hardhat run scripts/deploy.js` (hardhat-upgrades' deployProxy), then owned by a 2-of-3 Safe
    made from real Safe 1.4.1 bytecode. hardhat-upgrades writes the manifest of a development node
    (Anvil answers anvil_metadata) to <tmpdir>/openzeppelin-upgrades/anvil-<chainId>-<instanceId>.json."""
    from eth_utils import to_checksum_address

    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect
    from upgrader.deploy.safe import create_safe, deploy_infrastructure

    tmpdir = tmp_path_factory.mktemp("hardhat-tmpdir")
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        w3 = connect(node.url)
        accounts = [to_checksum_address(a) for a in w3.eth.accounts]
        infra = deploy_infrastructure(w3, accounts[0])
        safe = create_safe(w3, accounts[0], infra, sorted(accounts[1:4], key=lambda a: int(a, 16)), threshold=2)
        t = time.monotonic()
        out = hardhat(hardhat_root, "run", "scripts/deploy.js", "--network", "anvil", ANVIL_URL=node.url, SAFE=safe, TMPDIR=str(tmpdir))
        print(f"\nnpx hardhat run scripts/deploy.js: {time.monotonic() - t:.1f} s")
        deployed = json.loads(out.strip().splitlines()[-1])
        (manifest,) = (tmpdir / "openzeppelin-upgrades").glob("anvil-31337-*.json")
        yield {**deployed, "url": node.url, "safe": safe, "multisend": infra.multisend_call_only, "oz_manifest": manifest, "w3": w3}
