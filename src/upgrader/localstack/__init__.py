"""This checkout's local stack: the Anvil chain and the local Safe Transaction Service,
managed together by ``upgrader node start|stop|status|reset`` (see ``stack``)."""

from upgrader.localstack.stack import ensure_chain, ensure_service, local_service_url, reset, start, status, stop

__all__ = ["ensure_chain", "ensure_service", "local_service_url", "reset", "start", "status", "stop"]
