"""The Safe Transaction Service: an abstract client with the shared rules, the real HTTP
client, and a local service (a loopback HTTP server) for dev chains and tests."""

from upgrader.safe.service.base import (
    Confirmation,
    MultisigTx,
    RetryPolicy,
    SafeInfo,
    ServiceError,
    ServiceRejected,
    ServiceUnavailable,
    TransactionServiceClient,
)
from upgrader.safe.service.http import HttpTransactionService

__all__ = [
    "Confirmation", "MultisigTx", "RetryPolicy", "SafeInfo", "ServiceError", "ServiceRejected",
    "ServiceUnavailable", "TransactionServiceClient", "HttpTransactionService",
]
