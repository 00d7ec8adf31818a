"""`upgrader import` on the demo system (deployed by upgrader itself): the manifest it writes
from chain and build alone agrees with the one the deployment recorded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from upgrader.adopt.importer import ImportRequest, run_import
from upgrader.errors import InputError, UnsafeError
from upgrader.stages.context import NetworkContext

pytestmark = pytest.mark.chain


@pytest.fixture
def fresh_ctx(chain, tmp_path: Path) -> NetworkContext:
    cfg = replace(chain.config, deployments=tmp_path / "deployments")
    return NetworkContext(config=cfg, network=cfg.network(chain.network), w3=chain.w3, build=chain.build_info)


def pairs(chain) -> list[str]:
    return [f"{p.name}={p.address.lower()}" for p in chain.manifest.proxies]  # lowercase, as a broadcast file has them


def test_import_agrees_with_the_deployment_record(chain, fresh_ctx):
    from upgrader.stages.status import status

    result = run_import(fresh_ctx, ImportRequest(proxies=pairs(chain), safe=chain.safe.lower(),
                                                 multisend=chain.manifest.safe.multisend_call_only))
    written = fresh_ctx.manifest()
    assert written == result.manifest
    assert written.safe.model_dump(exclude={"proxy_factory"}) == chain.manifest.safe.model_dump(exclude={"proxy_factory"})
    for mine, theirs in zip(written.proxies, chain.manifest.proxies, strict=True):
        assert (mine.name, mine.address, mine.kind) == (theirs.name, theirs.address, "uups")
        for field in ("address", "contract", "code_hash", "storage_layout"):
            assert getattr(mine.implementation, field) == getattr(theirs.implementation, field)
    states = {p.name: p.state for p in status(fresh_ctx).proxies}
    assert states == {p.name: p.state for p in status(replace_ctx(fresh_ctx, chain)).proxies}


def replace_ctx(ctx: NetworkContext, chain) -> NetworkContext:
    return NetworkContext(config=chain.config, network=ctx.network, w3=ctx.w3, build=chain.build_info)


def test_bad_input_exits_2_and_writes_nothing(chain, fresh_ctx):
    cases = {
        "no contract": [f"X=0x{'12' * 20}"],
        "not a proxy": [f"X={chain.safe}"],
        "bad pair": ["X"],
    }
    for why, given in cases.items():
        with pytest.raises(InputError) as err:
            run_import(fresh_ctx, ImportRequest(proxies=given, safe=chain.safe))
        assert "\n" not in str(err.value), why
        assert not fresh_ctx.store.exists(), why
    with pytest.raises(InputError, match="not an OpenZeppelin"):
        bad = fresh_ctx.config.root / "no-such-dir"
        path = Path(str(fresh_ctx.store.folder) + "-oz.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"proxies": 1}')
        run_import(fresh_ctx, ImportRequest(openzeppelin=path))
    with pytest.raises(InputError, match="for chain 1,"):
        path = path.with_name("mainnet.json")
        path.write_text('{"manifestVersion": "3.2", "proxies": [], "impls": {}}')
        run_import(fresh_ctx, ImportRequest(openzeppelin=path))
    assert not fresh_ctx.store.exists()


def test_code_not_in_the_build_exits_1_naming_the_closest(chain, fresh_ctx):
    from upgrader.build.artifacts import all_artifacts

    # a build without RentVault: its deployed code matches nothing, RentVaultV2 is the closest
    info = {**chain.build_info, "output": {**chain.build_info["output"], "contracts": {
        src: {n: c for n, c in cs.items() if n != "RentVault"} for src, cs in chain.build_info["output"]["contracts"].items()}}}
    assert "RentVault" not in {a.name for a in all_artifacts(info)}
    without = NetworkContext(config=fresh_ctx.config, network=fresh_ctx.network, w3=fresh_ctx.w3, build=info)
    with pytest.raises(UnsafeError) as err:
        run_import(without, ImportRequest(proxies=pairs(chain), safe=chain.safe))
    assert "RentVault" in str(err.value) and ":RentVaultV2 (" in str(err.value)
    assert not fresh_ctx.store.exists()
