"""Safe's off-chain services: one client (``base``) speaking two dialects (``dialects``: the
Safe Queue Service and the classic Transaction Service) over HTTP (``http``), with responses
validated into typed values (``models``), client-side pacing (``pacing``), the delegate
EIP-712 message (``delegates``), and a local service answering both dialects for dev chains
and tests (``local_service`` + ``local_routes``, served by ``local_server``)."""

from upgrader.safe_service.client import (
    Confirmation,
    Delegate,
    MultisigTx,
    RetryPolicy,
    SafeInfo,
    ServiceAuthError,
    ServiceBadResponse,
    ServiceError,
    ServiceRejected,
    ServiceUnavailable,
    TransactionServiceClient,
)
from upgrader.safe_service.dialects import DIALECTS, default_url
from upgrader.safe_service.http import HttpTransactionService

__all__ = [
    "Confirmation", "DIALECTS", "Delegate", "MultisigTx", "RetryPolicy", "SafeInfo", "ServiceAuthError",
    "ServiceBadResponse", "ServiceError", "ServiceRejected", "ServiceUnavailable", "TransactionServiceClient",
    "HttpTransactionService", "default_url",
]
