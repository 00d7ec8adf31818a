"""Which Safe service a network uses, and the client for it.

    upgrader:
      networks:
        mainnet: {}                                    # Safe's Transaction Service for the chain (the default)
        sepolia:
          safe_api: {kind: queue}                      # opt-in: Safe's Queue Service (not yet what Safe's apps use)
        internal:
          safe_api: {url: https://safe-tx.example.org} # a self-hosted Transaction Service
        local:
          safe_api: {url: local}                       # the bundled local service
        legacy:
          tx_service: https://safe-tx.example.org      # the old key: a Transaction Service URL

With no ``safe_api`` the network uses Safe's Transaction Service at Safe's public URL for its
chain id (``https://api.safe.global/tx-service/<shortName>``, ``dialects.default_url``; the
origin can be replaced with ``UPGRADER_SAFE_API_ORIGIN``). ``local`` is the bundled local
service (``UPGRADER_TX_SERVICE`` overrides its address). The command-line ``--tx-service URL``
replaces the URL and keeps the kind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from upgrader.errors import InputError
from upgrader.safe_service.dialects import DIALECTS, DialectName, default_url

__all__ = ["LOCAL_SERVICE_URL", "SafeApi", "has_service", "open_client", "resolve"]

LOCAL_SERVICE_URL = "http://127.0.0.1:5555"
DEFAULT_KIND: DialectName = "tx-service"  # what Safe's own clients use (api-kit, safe-eth-py, the client gateway)


@dataclass(frozen=True)
class SafeApi:
    kind: DialectName
    url: str
    chain_id: int


def _configured(network: Any) -> tuple[str | None, str | None]:
    """(kind, url) as written (``config.SafeApiConfig``); ``tx_service: URL`` is the old spelling."""
    api = getattr(network, "safe_api", None)
    if api is not None:
        return api.kind, api.url
    if network.tx_service:
        return "tx-service", str(network.tx_service)
    return None, None


def resolve(network: Any, chain_id: int, url_override: str | None = None, kind_override: str | None = None) -> SafeApi:
    kind, url = _configured(network)
    kind = kind_override or kind or DEFAULT_KIND
    if kind not in DIALECTS:
        raise InputError(f"Safe API kind {kind!r} of network {network.name} is unknown; use one of {', '.join(DIALECTS)}")
    url = url_override or url or default_url(kind, chain_id)  # type: ignore[arg-type]
    if url is None:
        raise InputError(f"Safe runs no Transaction Service for chain {chain_id}; set "
                         f"upgrader.networks.{network.name}.safe_api.url to the service's URL (or `local`)")
    if url == "local":
        from upgrader.localstack import local_service_url  # the local stack's service, started with it

        url = os.environ.get("UPGRADER_TX_SERVICE") or local_service_url(network)
    if not str(url).startswith(("http://", "https://")):
        raise InputError(f"Safe API url {url!r} of network {network.name} is not an http(s) URL or `local`")
    return SafeApi(kind, str(url), int(chain_id))  # type: ignore[arg-type]


def has_service(network: Any, chain_id: int) -> bool:
    """True when the network names a Safe service or Safe runs one for its chain."""
    kind, url = _configured(network)
    return bool(url) or default_url(kind or DEFAULT_KIND, chain_id) is not None  # type: ignore[arg-type]


def open_client(network: Any, chain_id: int, url_override: str | None = None, kind_override: str | None = None,
                deadline_s: float | None = None) -> Any:
    from upgrader.safe_service.http import HttpTransactionService

    api = resolve(network, chain_id, url_override, kind_override)
    return HttpTransactionService(api.url, kind=api.kind, chain_id=api.chain_id, deadline_s=deadline_s)
