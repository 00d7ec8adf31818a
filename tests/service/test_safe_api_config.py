"""Choosing the dialect and URL per network: `safe_api: {kind, url}`, the old `tx_service:`
key as an alias for a Transaction Service, Safe's public URLs per chain id as defaults."""

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
    (net(), 137, "queue", "https://api.safe.global/queue"),
    (net(safe_api={"kind": "queue", "url": "local"}), 31337, "queue", LOCAL_SERVICE_URL),
    (net(tx_service="local"), 31337, "tx-service", LOCAL_SERVICE_URL),
])
def test_resolve(network, chain_id, kind, url, monkeypatch):
    monkeypatch.delenv("UPGRADER_TX_SERVICE", raising=False)
    api = resolve(network, chain_id)
    assert (api.kind, api.url, api.chain_id) == (kind, url, chain_id)


def test_overrides_and_the_local_address(monkeypatch):
    monkeypatch.setenv("UPGRADER_TX_SERVICE", "http://127.0.0.1:6000")
    assert resolve(net(safe_api={"kind": "queue", "url": "local"}), 31337).url == "http://127.0.0.1:6000"
    assert resolve(net(safe_api={"kind": "queue"}), 1, "https://x.example").url == "https://x.example"
    client = open_client(net(safe_api={"kind": "queue"}), 1, deadline_s=5)
    assert client.dialect.name == "queue" and client.deadline_s == 5


@pytest.mark.parametrize("network, chain_id, says", [
    (net(safe_api={"kind": "tx-service"}), 31337, "Safe runs no tx-service service we know for chain 31337"),
    (net(safe_api={"kind": "queue", "url": "ftp://x"}), 1, "is not an http(s) URL"),
])
def test_bad_settings_are_one_line(network, chain_id, says):
    with pytest.raises(InputError, match=".*".join(map(__import__("re").escape, says.split("*")))):
        resolve(network, chain_id)
