"""Choosing the dialect and URL per network: `safe_api: {kind, url}`, the old `tx_service:`
key as an alias for a Transaction Service, Safe's public URLs per chain id as defaults: the
Transaction Service (what Safe's own clients use) unless the Queue Service is asked for."""

from __future__ import annotations

import pytest

from upgrader.config import NetworkConfig
from upgrader.errors import InputError
from upgrader.stages.safe_api import LOCAL_SERVICE_URL, open_client, resolve


def net(**kw):
    return NetworkConfig("n", "http://127.0.0.1:1", kw.pop("chain_id", 1), kw.pop("tx_service", None), kw.pop("safe_api", None))


def test_the_schema_reads_safe_api_and_refuses_unknown_keys(tmp_path):
    from upgrader.config import load

    (tmp_path / "upgrader.toml").write_text(
        '[networks.main]\nrpc = "http://127.0.0.1:1"\nchain_id = 1\nsafe_api = {kind = "tx-service"}\n'
        '[networks.old]\nrpc = "http://127.0.0.1:1"\ntx_service = "https://old.example"\n')
    cfg = load(tmp_path)
    assert resolve(cfg.network("main"), 1).url == "https://api.safe.global/tx-service/eth"
    assert resolve(cfg.network("old"), 5).url == "https://old.example"
    (tmp_path / "upgrader.toml").write_text('[networks.main]\nrpc = "x"\nsafe_api = {kind = "queue", urll = "x"}\n')
    with pytest.raises(InputError, match="urll"):
        load(tmp_path)
    (tmp_path / "upgrader.toml").write_text('[networks.main]\nrpc = "x"\nsafe_api = {kind = "graphql"}\n')
    with pytest.raises(InputError, match="kind"):
        load(tmp_path)


@pytest.mark.parametrize("network, chain_id, kind, url", [
    (net(safe_api={"kind": "queue"}), 1, "queue", "https://api.safe.global/queue"),
    (net(safe_api={"kind": "queue"}), 8453, "queue", "https://api.safe.global/queue"),
    (net(safe_api={"kind": "tx-service"}), 1, "tx-service", "https://api.safe.global/tx-service/eth"),
    (net(safe_api={"kind": "tx-service"}), 11155111, "tx-service", "https://api.safe.global/tx-service/sep"),
    (net(safe_api={"kind": "tx-service", "url": "https://safe.example.org"}), 1, "tx-service", "https://safe.example.org"),
    (net(tx_service="https://old.example.org/txs"), 1, "tx-service", "https://old.example.org/txs"),
    (net(), 137, "tx-service", "https://api.safe.global/tx-service/pol"),
    (net(), 8453, "tx-service", "https://api.safe.global/tx-service/base"),
    (net(safe_api={"url": "https://safe.example.org"}), 1, "tx-service", "https://safe.example.org"),
    (net(safe_api={"kind": "queue", "url": "local"}), 31337, "queue", LOCAL_SERVICE_URL),
    (net(tx_service="local"), 31337, "tx-service", LOCAL_SERVICE_URL),
])
def test_resolve(network, chain_id, kind, url, monkeypatch):
    monkeypatch.delenv("UPGRADER_TX_SERVICE", raising=False)
    api = resolve(network, chain_id)
    assert (api.kind, api.url, api.chain_id) == (kind, url, chain_id)


def test_every_chain_of_api_kits_table_has_safes_url():
    """The chain id -> shortName table is api-kit's (packages/api-kit/src/utils/config.ts @
    99486267): a few of its rows, and Safe's URL shape for them."""
    from upgrader.safe_service.dialects import TX_SERVICE_SHORT_NAMES

    for chain_id, short in {1: "eth", 10: "oeth", 100: "gno", 137: "pol", 8453: "base", 42161: "arb1",
                            84532: "basesep", 11155111: "sep", 1313161554: "aurora"}.items():
        assert TX_SERVICE_SHORT_NAMES[chain_id] == short
        assert resolve(net(), chain_id).url == f"https://api.safe.global/tx-service/{short}"
    assert len(TX_SERVICE_SHORT_NAMES) == 49  # every row of that table


def test_the_public_origin_can_be_replaced(monkeypatch):
    monkeypatch.setenv("UPGRADER_SAFE_API_ORIGIN", "http://127.0.0.1:9999/")
    assert resolve(net(), 11155111).url == "http://127.0.0.1:9999/tx-service/sep"
    assert resolve(net(safe_api={"kind": "queue"}), 1).url == "http://127.0.0.1:9999/queue"


def test_overrides_and_the_local_address(monkeypatch):
    monkeypatch.setenv("UPGRADER_TX_SERVICE", "http://127.0.0.1:6000")
    assert resolve(net(safe_api={"kind": "queue", "url": "local"}), 31337).url == "http://127.0.0.1:6000"
    assert resolve(net(safe_api={"kind": "queue"}), 1, "https://x.example").url == "https://x.example"
    client = open_client(net(safe_api={"kind": "queue"}), 1, deadline_s=5)
    assert client.dialect.name == "queue" and client.deadline_s == 5


@pytest.mark.parametrize("network, chain_id, says", [
    (net(safe_api={"kind": "tx-service"}), 31337, "Safe runs no Transaction Service for chain 31337"),
    (net(), 31337, "Safe runs no Transaction Service for chain 31337; set upgrader.networks.n.safe_api.url"),
    (net(safe_api={"kind": "queue", "url": "ftp://x"}), 1, "is not an http(s) URL"),
])
def test_bad_settings_are_one_line(network, chain_id, says):
    with pytest.raises(InputError, match=".*".join(map(__import__("re").escape, says.split("*")))):
        resolve(network, chain_id)
